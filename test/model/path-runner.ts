import type { AnyActorScope, InspectionEvent, StateValue } from 'xstate';
import type { Dialogue } from '../../machines/dialogue.js';
import type { ChatMachineEvent } from '../../machines/events.js';
import type { ChatContext } from '../../machines/setup.js';
import { Buttons } from '../../machines/texts.js';
import type { ChatMachine } from '../../machines/chat.machine.js';
import {
  ChatActor,
  effectRunner,
  type EffectChat,
  type EffectOutcome,
  type PendingEffect,
} from '../../services/worker/index.js';
import type { Reply } from '../../shared/contracts/reply.js';
import { createLogger } from '../../shared/ops/logger.js';
import { toChatEvent } from '../harness/dialogue-driver.js';
import { MemoryChatStore } from '../harness/memory-chat-store.js';
import type { CoverageRecorder } from './coverage.js';
import { describeEvent, isTimerSample, resolveSample, text, type EventSample } from './event-samples.js';
import { stateId, turnProblems, type Violation } from './invariants.js';
import { AT, scenarioChatId, scenarioPorts } from './scenarios.js';
import { serializeTurnState } from './turn-model.js';
import type { WalkPath } from './walk.js';
import { channelOf } from '../../shared/contracts/channel.js';

type ChatSnapshot = { value: StateValue; context: ChatContext };
type RunEffect = (effect: PendingEffect, chat: EffectChat) => Promise<EffectOutcome>;

const silent = createLogger('path-runner', 'silent');

/**
 * The machine reporting what it does to the coverage recorder. The worker steps it purely, in an
 * inert scope that gives no inspection hook of its own, so the scope's actor system is watched for
 * the microsteps (once: the worker keeps one scope per machine), and a fresh chat's initial state
 * is reported too.
 */
function reporting(machine: ChatMachine, inspect: (event: InspectionEvent) => void): ChatMachine {
  const reported = Object.create(machine) as ChatMachine;
  type Transition = (snapshot: unknown, event: unknown, scope: AnyActorScope) => unknown;
  const transition = machine.transition.bind(machine) as Transition;
  const initial = machine.getInitialSnapshot.bind(machine) as (scope: AnyActorScope, input: unknown) => unknown;
  const watched = new WeakSet<AnyActorScope['system']>();
  Object.assign(reported, {
    transition(snapshot: unknown, event: unknown, scope: AnyActorScope) {
      if (!watched.has(scope.system)) {
        watched.add(scope.system);
        scope.system.inspect(inspect);
      }
      return transition(snapshot, event, scope);
    },
    getInitialSnapshot(scope: AnyActorScope, input: unknown) {
      const snapshot = initial(scope, input);
      // Without input it is the worker building its inert scope's actor, not a chat starting.
      if (input !== undefined) inspect({ type: '@xstate.snapshot', snapshot } as InspectionEvent);
      return snapshot;
    },
  });
  return reported;
}

/** One chat as a worker holds it: a live ChatActor over a store, effects run after each save. */
class WorkerChat {
  private readonly actor: ChatActor;
  private replies: Reply[] = [];

  constructor(
    readonly chatId: string,
    private readonly dialogue: Dialogue,
    private readonly runEffect: RunEffect,
    readonly store = new MemoryChatStore(),
    private seq = 0,
  ) {
    this.actor = new ChatActor(chatId, {
      dialogue,
      store,
      runEffect,
      publishReplies: async (replies) => void this.replies.push(...replies.map((outbound) => outbound.reply)),
      fence: () => {},
      now: () => AT,
    });
  }

  /** One event, applied once; the turn's replies (its effects' included) and the state saved last. */
  async send(event: ChatMachineEvent): Promise<{ replies: Reply[]; snapshot: ChatSnapshot }> {
    this.replies = [];
    const turn = { logger: silent, correlationId: event.id };
    const outcome = isTimerSample(event)
      ? await this.fire(event, turn)
      : await this.actor.handle(toChatEvent(event, this.chatId), ++this.seq, turn);
    // A timer the chat does not hold armed is dropped, as the model's machine ignores its event there.
    if (outcome !== 'applied' && !(isTimerSample(event) && outcome === 'stale'))
      throw new Error(`the turn of ${event.id} was ${outcome}, not applied`);
    const record = this.store.latest(this.chatId)!;
    if (record.pendingEffects.length > 0) throw new Error(`the turn of ${event.id} left effects pending`);
    return { replies: this.replies, snapshot: record.snapshot as ChatSnapshot };
  }

  /** A durable timer firing as the bus would deliver it: the armed timer of that event, if the chat holds one. */
  private fire(event: ChatMachineEvent, turn: { logger: typeof silent; correlationId: string }) {
    const armed = this.store.latest(this.chatId)?.timers.find((timer) => timer.event.type === event.type);
    const token = armed?.token ?? `${event.id}~not-armed`;
    const fired = {
      kind: 'timer',
      chatId: this.chatId,
      channel: channelOf(this.chatId),
      token,
      timerId: armed?.id ?? event.type,
      at: AT,
      event: armed?.event ?? { type: event.type },
    } as const;
    return this.actor.fire(fired, ++this.seq, turn);
  }

  /** Another worker taking the chat over from what is saved, its store going its own way. */
  fork(): WorkerChat {
    return new WorkerChat(this.chatId, this.dialogue, this.runEffect, this.store.fork(), this.seq);
  }
}

/**
 * Runs walk paths against the chat machine exactly as a worker does: a ChatActor per path over an
 * in-memory store (every save through JSON, refused unless it builds on the latest version), the
 * side effects run by the worker's effect runner on the scenario's fixtures after each save. The
 * invariants are checked after every turn. From each screen first reached it also sends «В меню»
 * once, from a copy of the chat taken over by a fresh actor, which must lead to the main menu.
 */
export class PathRunner {
  readonly violations: Violation[] = [];
  private readonly menuChecked = new Set<string>();
  private turnCount = 0;
  private readonly machine: ChatMachine;

  constructor(
    private readonly base: Dialogue<ChatMachine>,
    recorder: CoverageRecorder,
  ) {
    this.machine = reporting(base.machine, recorder.inspect);
  }

  get turns(): number {
    return this.turnCount;
  }

  async run(path: WalkPath): Promise<void> {
    const { scenario } = path;
    const input = (chatId: string) => ({ chatId, ...scenario.input });
    const dialogue: Dialogue = { ...this.base, machine: this.machine, input };
    const chat = new WorkerChat(scenarioChatId(scenario), dialogue, effectRunner(scenarioPorts(scenario), 2_000));
    const events = [...scenario.prelude, ...path.events];
    for (const [index, sample] of events.entries()) {
      const said = events.slice(0, index + 1).map(describeEvent);
      const turn = await this.turn(chat, sample, said);
      const walkStep = index - scenario.prelude.length;
      if (walkStep < 0) continue;
      const expected = path.expected[walkStep]!;
      if (JSON.stringify(turn.snapshot.value) !== JSON.stringify(expected.machine.value)) {
        const reached = `${stateId(turn.snapshot.value)}, the model ${stateId(expected.machine.value)}`;
        this.report('model', turn.snapshot, said, `the worker's turn reached ${reached}`);
        return;
      }
      const screen = serializeTurnState(expected);
      if (!this.menuChecked.has(screen)) {
        this.menuChecked.add(screen);
        const menu = text(Buttons.ToMenu);
        const toMenu = await this.turn(chat.fork(), menu, [...said, describeEvent(menu)]);
        const led = toMenu.snapshot.value;
        if (led !== 'menu') this.report('way-to-menu', turn.snapshot, said, `«В меню» led to ${stateId(led)}`);
      }
    }
  }

  private async turn(chat: WorkerChat, sample: EventSample, said: string[]) {
    const context = (chat.store.latest(chat.chatId)?.snapshot as ChatSnapshot | undefined)?.context;
    const event = { ...resolveSample(sample, context), id: `turn-${++this.turnCount}`, at: AT } as ChatMachineEvent;
    const { replies, snapshot } = await chat.send(event);
    for (const problem of turnProblems(replies, chat.chatId, snapshot.context.buttonColor)) {
      this.report(problem.invariant, snapshot, said, problem.detail);
    }
    return { snapshot };
  }

  private report(invariant: Violation['invariant'], snapshot: ChatSnapshot, events: string[], detail: string) {
    this.violations.push({ invariant, state: stateId(snapshot.value), events, detail });
  }
}
