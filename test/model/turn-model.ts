import { initialTransition, transition, type ActorLogic, type AnyMachineSnapshot, type Snapshot } from 'xstate';
import { welcomeReply, type ChatMachine } from '../../machines/chat.machine.js';
import type { ChatMachineEvent } from '../../machines/events.js';
import type { ChatContext, ChatInput } from '../../machines/setup.js';
import type { Button, Reply } from '../../shared/contracts/reply.js';
import type { EffectOracle } from './effect-oracle.js';
import { resolveSample } from './event-samples.js';
import type { EffectPorts } from '../../services/worker/index.js';

/** The dialogue between two customer messages, as xstate/graph walks it. */
export type TurnState = Snapshot<undefined> & {
  status: 'active';
  output: undefined;
  error: undefined;
  machine: AnyMachineSnapshot;
  /** The keyboard on the customer's screen: that of the last reply, kept while the bot says nothing. */
  keyboard: readonly Button[];
  /** A side effect the oracle could not answer yet: the walk stops here until it has learnt it. */
  unresolved: boolean;
};

type ExecutableAction = { type: string; params?: any };

const repliesOf = (actions: readonly ExecutableAction[]): Reply[] =>
  actions
    .filter((action) => action.type === 'xstate.emit' && action.params?.event?.type === 'reply')
    .map((action) => action.params.event.reply as Reply);

/**
 * A chat's turns as pure actor logic over the chat machine: a customer event, then the invoked
 * effects settled one by one with the oracle's answers, like a worker's turn but synchronous, so
 * that xstate/graph can walk it. Only the effects' answers come from outside; every decision is
 * the machine's own `transition`.
 */
export function turnModel(
  machine: ChatMachine,
  oracle: EffectOracle,
  effects: { ports: () => EffectPorts; variant: string },
) {
  const settle = (
    snapshot: AnyMachineSnapshot,
    actions: readonly ExecutableAction[],
    replies: Reply[],
  ): { snapshot: AnyMachineSnapshot; resolved: boolean } => {
    replies.push(...repliesOf(actions));
    const spawn = actions.find((action) => action.type === 'xstate.spawnChild' && snapshot.children[action.params.id]);
    if (!spawn) return { snapshot, resolved: true };
    const { id, src, input } = spawn.params as { id: string; src: string; input: unknown };
    const answer = oracle.lookup({ src, input, ...effects });
    if (!answer) return { snapshot, resolved: false };
    const event = answer.ok
      ? { type: `xstate.done.actor.${id}`, output: answer.output, actorId: id }
      : { type: `xstate.error.actor.${id}`, error: answer.error, actorId: id };
    const [next, nextActions] = transition(machine, snapshot as never, event as never);
    return settle(next, nextActions as ExecutableAction[], replies);
  };

  const logic: ActorLogic<TurnState, ChatMachineEvent, ChatInput> = {
    getInitialSnapshot: (_scope, input) => {
      const [snapshot] = initialTransition(machine, input);
      // The welcome (the answer to conversation_started) put the start keyboard on the screen.
      const keyboard = welcomeReply(snapshot.context.buttonColor).keyboard?.buttons ?? [];
      return { status: 'active', output: undefined, error: undefined, machine: snapshot, keyboard, unresolved: false };
    },
    transition: (state, event) => {
      if (state.unresolved) return state;
      const replies: Reply[] = [];
      const [next, actions] = transition(
        machine,
        state.machine as never,
        resolveSample(event, state.machine.context) as never,
      );
      const settled = settle(next, actions as ExecutableAction[], replies);
      const keyboard = replies.length > 0 ? (replies.at(-1)!.keyboard?.buttons ?? []) : state.keyboard;
      return { ...state, machine: settled.snapshot, keyboard, unresolved: !settled.resolved };
    },
    getPersistedSnapshot: (state) => state,
  };
  return logic;
}

/**
 * Two turn states are the same screen when the machine is in the same state with the same
 * choices made and the same keyboard shown; the numbers typed into a reading draft and the
 * payment link do not make a new screen (this keeps the walk finite and small).
 */
export function serializeTurnState(state: TurnState): string {
  // Which payment links were offered (their order ids, the amounts) makes no new screen either.
  const { reading, payment, offers: _offers, ...context } = state.machine.context as ChatContext;
  return JSON.stringify({
    value: state.machine.value,
    context: {
      ...context,
      reading: reading && { ...reading, values: Object.keys(reading.values), pending: reading.pending !== undefined },
      payment: payment?.account,
    },
    keyboard: state.keyboard.map((button) => button.text),
    unresolved: state.unresolved,
  });
}
