import { getAdjacencyMap, getShortestPaths, type TraversalOptions } from 'xstate/graph';
import type { ChatMachine } from '../../machines/chat.machine.js';
import type { ChatMachineEvent } from '../../machines/events.js';
import type { ChatInput } from '../../machines/setup.js';
import type { EffectOracle } from './effect-oracle.js';
import { keyboardEvents, MENU_SHORTCUTS, TYPED_ANSWERS, WRONG_INPUTS, type EventSample } from './event-samples.js';
import { AT, portsVariant, scenarioChatId, scenarioPorts, type Scenario } from './scenarios.js';
import { serializeTurnState, turnModel, type TurnState } from './turn-model.js';

/** One path to test: the customer's events after the scenario's prelude, and the state each should lead to. */
export interface WalkPath {
  scenario: Scenario;
  events: EventSample[];
  expected: TurnState[];
}

/** The walk's events all carry the same id and time; the runner gives each turn its own id. */
const modelEvent = (sample: EventSample) => ({ ...sample, id: 'model', at: AT }) as ChatMachineEvent;
const withoutBase = ({ id: _id, at: _at, ...sample }: ChatMachineEvent) => sample as EventSample;

/** The events tried on a screen: its keyboard, the typed answers it asks for, every wrong input, the menu items. */
function eventsOn(state: TurnState, scenario: Scenario): ChatMachineEvent[] {
  const typed = Object.entries(TYPED_ANSWERS).flatMap(([path, samples]) =>
    state.machine.matches(path) ? samples : [],
  );
  const samples = [
    ...keyboardEvents(state.keyboard),
    ...typed,
    ...WRONG_INPUTS,
    ...MENU_SHORTCUTS,
    ...(scenario.extraEvents ?? []),
  ];
  const unique = new Map(samples.map((sample) => [JSON.stringify(sample), sample]));
  return [...unique.values()].map(modelEvent);
}

/**
 * The paths of one scenario: for every screen the walk reaches inside the scenario's section and
 * every event tried there, the shortest path to that screen followed by that event — so each
 * (screen, event) pair is tested once, including the steps that leave the section.
 */
export async function walkScenario(
  machine: ChatMachine,
  oracle: EffectOracle,
  scenario: Scenario,
): Promise<{ paths: WalkPath[]; screens: number }> {
  const logic = turnModel(machine, oracle, { ports: () => scenarioPorts(scenario), variant: portsVariant(scenario) });
  const input: ChatInput = { chatId: scenarioChatId(scenario), ...scenario.input };
  for (;;) {
    let start = logic.getInitialSnapshot(undefined as never, input);
    for (const sample of scenario.prelude) start = logic.transition(start, modelEvent(sample), undefined as never);
    const options: TraversalOptions<TurnState, ChatMachineEvent, ChatInput> = {
      fromState: start,
      events: (state) => eventsOn(state, scenario),
      serializeState: serializeTurnState,
      stopWhen: (state) => state.unresolved || !scenario.within.some((key) => state.machine.matches(key)),
      limit: 20_000,
    };
    const adjacency = getAdjacencyMap(logic, options);
    if (oracle.hasMissing) {
      await oracle.learnMissing();
      continue;
    }
    const shortest = new Map(getShortestPaths(logic, options).map((path) => [serializeTurnState(path.state), path]));
    const paths = Object.entries(adjacency).flatMap(([key, { transitions }]) => {
      // A path starts with the traversal's own 'xstate.init' step: not something a customer sends.
      const prefix = shortest.get(key)!.steps.filter((step) => step.event.type !== ('xstate.init' as string));
      return (Object.values(transitions) as { event: ChatMachineEvent; state: TurnState }[]).map(
        ({ event, state }) => ({
          scenario,
          events: [...prefix.map((step) => withoutBase(step.event)), withoutBase(event)],
          expected: [...prefix.map((step) => step.state), state],
        }),
      );
    });
    return { paths, screens: Object.keys(adjacency).length };
  }
}
