import type { StateValue } from 'xstate';
import type { Dialogue } from '../../machines/dialogue.js';
import type { ChatMachineEvent } from '../../machines/events.js';
import type { ChatContext } from '../../machines/setup.js';
import { Buttons } from '../../machines/texts.js';
import { provideEffects } from '../../services/worker/effects.js';
import { runTurn } from '../../services/worker/turn.js';
import type { ChatMachine } from '../../machines/chat.machine.js';
import type { CoverageRecorder } from './coverage.js';
import { describeEvent, text, type EventSample } from './event-samples.js';
import { stateId, turnProblems, type Violation } from './invariants.js';
import { AT, scenarioPorts } from './scenarios.js';
import { serializeTurnState } from './turn-model.js';
import { MODEL_CHAT_ID, type WalkPath } from './walk.js';

type Saved = { snapshot: unknown; machineVersion: number };
type ChatSnapshot = { value: StateValue; context: ChatContext };

/**
 * Runs walk paths against the chat machine exactly as a worker does, turn by turn with runTurn
 * (restore from the persisted JSON, event, effects settled by the in-memory fixtures, persist), and
 * checks the invariants after every turn. From each screen first reached it also sends «В меню»
 * once, which must lead to the main menu.
 */
export class PathRunner {
  readonly violations: Violation[] = [];
  private readonly menuChecked = new Set<string>();
  private turnCount = 0;

  constructor(
    private readonly base: Dialogue<ChatMachine>,
    private readonly recorder: CoverageRecorder,
  ) {}

  get turns(): number {
    return this.turnCount;
  }

  async run(path: WalkPath): Promise<void> {
    const { scenario } = path;
    const dialogue: Dialogue = {
      ...this.base,
      machine: provideEffects(this.base.machine, scenarioPorts(scenario)),
      input: (chatId) => ({ chatId, ...scenario.input }),
    };
    const events = [...scenario.prelude, ...path.events];
    let saved: Saved | null = null;
    for (const [index, sample] of events.entries()) {
      const said = events.slice(0, index + 1).map(describeEvent);
      const turn = await this.turn(dialogue, saved, sample, said);
      saved = turn.saved;
      const walkStep = index - scenario.prelude.length;
      if (walkStep < 0) continue;
      const expected = path.expected[walkStep]!;
      if (JSON.stringify(turn.snapshot.value) !== JSON.stringify(expected.machine.value)) {
        this.report('model', turn.snapshot, said, `the worker's turn reached ${stateId(turn.snapshot.value)}, the model ${stateId(expected.machine.value)}`);
        return;
      }
      const screen = serializeTurnState(expected);
      if (!this.menuChecked.has(screen)) {
        this.menuChecked.add(screen);
        const toMenu = await this.turn(dialogue, saved, text(Buttons.ToMenu), [...said, describeEvent(text(Buttons.ToMenu))]);
        if (toMenu.snapshot.value !== 'menu') this.report('way-to-menu', turn.snapshot, said, `«В меню» led to ${stateId(toMenu.snapshot.value)}`);
      }
    }
  }

  private async turn(dialogue: Dialogue, saved: Saved | null, sample: EventSample, said: string[]) {
    const event = { ...sample, id: `turn-${++this.turnCount}`, at: AT } as ChatMachineEvent;
    const result = await runTurn({ dialogue, chatId: MODEL_CHAT_ID, saved, event, timeoutMs: 2_000, inspect: this.recorder.inspect });
    const next: Saved = { snapshot: JSON.parse(JSON.stringify(result.snapshot)), machineVersion: dialogue.version };
    const snapshot = next.snapshot as ChatSnapshot;
    for (const problem of turnProblems(result.replies, MODEL_CHAT_ID, snapshot.context.buttonColor)) this.report(problem.invariant, snapshot, said, problem.detail);
    return { saved: next, snapshot };
  }

  private report(invariant: Violation['invariant'], snapshot: ChatSnapshot, events: string[], detail: string) {
    this.violations.push({ invariant, state: stateId(snapshot.value), events, detail });
  }
}
