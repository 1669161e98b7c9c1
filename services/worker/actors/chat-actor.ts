import type { AnyMachineSnapshot } from 'xstate';
import type { Dialogue } from '../../../machines/dialogue.js';
import { toMachineEvent } from '../../../machines/events.js';
import type { ChatEvent } from '../../../shared/contracts/chat-event.js';
import type { Logger } from '../../../shared/ops/logger.js';
import type { OutboundReply } from '../../../shared/contracts/reply.js';
import type { ChatRecord, ChatStore, PendingEffect } from '../../../shared/ports/chat-store.js';
import type { ArmedTimer, TimerFired } from '../../../shared/contracts/timer.js';
import { activate, awaits, persist, settle, step, type EffectOutcome, type Step } from './chat-step.js';
import { armTimers } from './chat-timers.js';
import type { EffectChat } from '../effects/effects.js';

export type TurnStep = 'loaded' | 'saved' | 'published' | 'before-effect' | 'after-effect';

export type ApplyOutcome = 'applied' | 'redelivered' | 'duplicate' | 'stale';

/** How many applied event ids a chat remembers. */
export const RECENT_EVENT_IDS = 32;

/** This worker may no longer act for the chat: its partition's lease is gone. */
export class NotOwner extends Error {
  override name = 'NotOwner';
}

/** Another writer saved the chat first: the state this actor holds is behind. */
export class SaveRefused extends Error {
  override name = 'SaveRefused';
}

export interface ChatActorDeps {
  dialogue: Dialogue;
  store: ChatStore;
  /** Puts the replies on the bus, under the turn's correlation id; idempotent per reply id. */
  publishReplies(replies: OutboundReply[], correlationId: string): Promise<void>;
  /** Runs one side effect under its id (its idempotency key), for the chat. Never throws: a failure is an outcome. */
  runEffect(effect: PendingEffect, chat: EffectChat): Promise<EffectOutcome>;
  /** Throws NotOwner unless this worker still holds the chat's partition. */
  fence(): void;
  now(): number;
  /** Each step of a turn, for the fault tests (CHAOS_KILL_AT). */
  onStep?(step: TurnStep): void;
  /** The chat's button colour changed in a saved step: ingress needs it for the next welcome. */
  onButtonColor?(color: string): Promise<void>;
  /** Each transition, for live inspection: the state before, the state after, the event's type. */
  onTransition?(from: unknown, to: unknown, eventType: string): void;
  /**
   * Stores the schedules of timers armed and removes those of timers cancelled, after the state
   * holding them is saved (idempotent: run again when the event is redelivered). Without it the
   * timers are kept in the record only (unit tests).
   */
  timers?: { schedule(timers: ArmedTimer[]): Promise<void>; cancel(timerIds: string[]): Promise<void> };
  /** The chat's reminder consent changed in a saved step: the reminder registry needs it. */
  onReminders?(enabled: boolean, accounts: string[]): Promise<void>;
}

/** The turn in progress: its logger carries the correlation id and the chat's tag. */
export interface Turn {
  logger: Logger;
  correlationId: string;
}

interface Live {
  snapshot: AnyMachineSnapshot;
  record: ChatRecord;
}

const emptyRecord = (chatId: string, machineVersion: number): ChatRecord => ({
  chatId,
  machineVersion,
  snapshot: null,
  version: 0,
  lastEventSeq: 0,
  outbox: [],
  recentEventIds: [],
  pendingEffects: [],
  timers: [],
});

/**
 * One chat as a live actor in the worker that owns its partition. Its state is read from the store
 * once, when it is activated, and kept in memory between turns; each turn saves a new version
 * before anything leaves the process. Side effects run only after the state that asked for them
 * is saved (the record lists them as pending), each under a stable id, and their outcomes go back
 * to the machine as events, saved in turn. A worker that stops between the save and the outcome
 * leaves the effect pending, and the next holder runs it again under the same id.
 */
export class ChatActor {
  private live: Live | null = null;
  /** How many turns had to run again on a fresh read after a refused save. */
  reruns = 0;
  /** How many times this actor's state was read from the store. */
  activations = 0;

  constructor(
    readonly chatId: string,
    private readonly deps: ChatActorDeps,
  ) {}

  get active(): boolean {
    return this.live !== null;
  }

  /** Forgets the in-memory state: the next turn reads the store. */
  passivate(): void {
    this.live = null;
  }

  /** Applies one event exactly once; resolves once its effects have settled and every reply is on the bus. */
  handle(event: ChatEvent, seq: number, turn: Turn): Promise<ApplyOutcome> {
    return this.onTheTruth(turn, (options) => this.apply(event, seq, turn, options));
  }

  /** Runs a turn; if another writer saved the chat first, runs it again on what that writer saved. */
  private async onTheTruth(
    turn: Turn,
    run: (options: { verify?: boolean }) => Promise<ApplyOutcome>,
  ): Promise<ApplyOutcome> {
    try {
      return await run({});
    } catch (error) {
      if (!(error instanceof SaveRefused)) throw this.dropping(error);
      // Someone wrote the chat after we read it (a previous owner finishing late): run on the truth.
      this.reruns++;
      turn.logger.warn('another writer saved this chat first; running the turn again on its state');
      this.live = null;
      return run({ verify: true }).catch((again: unknown) => Promise.reject(this.dropping(again)));
    }
  }

  /**
   * A saved turn's event came again: its replies go out again (the bus drops repeats by id), and
   * its timers' schedules.
   */
  private async redelivered(record: ChatRecord, turn: Turn, channel: ChatEvent['channel']): Promise<ApplyOutcome> {
    await this.deps.publishReplies(record.outbox, turn.correlationId);
    // In case the worker stopped before storing them (stored once: their ids are the arming's token).
    await this.deps.timers?.schedule(record.timers ?? []);
    await this.settlePending(turn, channel);
    return 'redelivered';
  }

  private dropping(error: unknown): unknown {
    // After a failure the in-memory state may be ahead of or behind the store.
    this.live = null;
    return error;
  }

  private async apply(
    event: ChatEvent,
    seq: number,
    turn: Turn,
    options: { verify?: boolean } = {},
  ): Promise<ApplyOutcome> {
    const live = this.live ?? (await this.activateFromStore(turn.logger, options.verify ?? false));
    const { record } = live;
    if (record.lastEventSeq === seq) return this.redelivered(record, turn, event.channel);
    if (record.lastEventSeq > seq) return 'stale';
    // The same callback stored twice under two sequences: its turn already ran.
    if (record.recentEventIds.includes(event.id)) return 'duplicate';

    // Effects left pending by a holder that stopped come first: the machine is waiting on them.
    await this.settlePending(turn, event.channel);
    const current = this.live!;
    const next = step(this.deps.dialogue, current.snapshot, toMachineEvent(event));
    this.deps.onTransition?.(current.snapshot.value, next.snapshot.value, `chat.${event.kind}`);
    await this.commit(turn, next, {
      causeId: event.id,
      channel: event.channel,
      lastEventSeq: seq,
      recentEventIds: [...current.record.recentEventIds, event.id].slice(-RECENT_EVENT_IDS),
    });
    await this.settlePending(turn, event.channel);
    return 'applied';
  }

  /**
   * A durable timer fired. It runs like a customer's event, in the partition's order, but only if
   * the saved state still has it armed under the same token: otherwise the state that set it was
   * left (or set it again) and it is dropped as stale.
   */
  fire(timer: TimerFired, seq: number, turn: Turn): Promise<ApplyOutcome> {
    return this.onTheTruth(turn, (options) => this.fireOnce(timer, seq, turn, options));
  }

  private async fireOnce(
    timer: TimerFired,
    seq: number,
    turn: Turn,
    options: { verify?: boolean } = {},
  ): Promise<ApplyOutcome> {
    const live = this.live ?? (await this.activateFromStore(turn.logger, options.verify ?? false));
    if (live.record.lastEventSeq === seq) return this.redelivered(live.record, turn, timer.channel);
    if (live.record.lastEventSeq > seq) return 'stale';
    if (!(live.record.timers ?? []).some((armed) => armed.token === timer.token)) return 'stale';
    await this.settlePending(turn, timer.channel);
    const current = this.live!;
    // Settling an effect may have left the state that armed it.
    if (!(current.record.timers ?? []).some((armed) => armed.token === timer.token)) return 'stale';
    const next = step(this.deps.dialogue, current.snapshot, timer.event);
    this.deps.onTransition?.(current.snapshot.value, next.snapshot.value, 'xstate.after');
    await this.commit(turn, next, { causeId: timer.token, lastEventSeq: seq, fired: timer.token });
    await this.settlePending(turn, timer.channel);
    return 'applied';
  }

  private async activateFromStore(logger: Logger, verify: boolean): Promise<Live> {
    const { dialogue } = this.deps;
    const saved = await this.deps.store.load(this.chatId, { verify });
    this.deps.onStep?.('loaded');
    const { snapshot, reset } = activate(dialogue, this.chatId, saved);
    if (reset)
      logger.warn(
        { savedVersion: saved?.machineVersion, version: dialogue.version },
        'saved dialogue state could not be restored; chat restarted',
      );
    const record = saved ?? emptyRecord(this.chatId, dialogue.version);
    // A restarted chat no longer waits for what its old state asked for.
    const pendingEffects = record.pendingEffects.filter((effect) => awaits(snapshot, effect.childId));
    this.activations++;
    // Nor for its old timers: a restarted chat drops them as stale when they fire.
    this.live = { snapshot, record: { ...record, pendingEffects, timers: reset ? [] : (record.timers ?? []) } };
    return this.live;
  }

  /** Runs the saved state's pending effects one by one, each outcome saved before the next runs. */
  private async settlePending(turn: Turn, channel: ChatEvent['channel']): Promise<void> {
    for (let live = this.live!; live.record.pendingEffects.length > 0; live = this.live!) {
      const effect = live.record.pendingEffects[0]!;
      this.deps.fence();
      this.deps.onStep?.('before-effect');
      const outcome = await this.deps.runEffect(effect, { channel });
      this.deps.onStep?.('after-effect');
      if (!outcome.ok)
        turn.logger.warn(
          { effect: effect.src, error: outcome.error.message },
          'side effect failed; the dialogue is told',
        );
      const next = settle(this.deps.dialogue, live.snapshot, effect.childId, outcome, {
        id: effect.id,
        at: this.deps.now(),
      });
      this.deps.onTransition?.(
        live.snapshot.value,
        next.snapshot.value,
        outcome.ok ? 'xstate.done.actor' : 'xstate.error.actor',
      );
      await this.commit(turn, next, { causeId: effect.id, settled: effect.id });
    }
  }

  /**
   * Saves the step as the chat's next version (refused if anyone saved since we read), then puts
   * its replies on the bus. Only then does the in-memory state move on.
   */
  private async commit(
    turn: Turn,
    next: Step,
    meta: {
      causeId: string;
      settled?: string;
      fired?: string;
      channel?: ChatEvent['channel'];
      lastEventSeq?: number;
      recentEventIds?: string[];
    },
  ) {
    const { dialogue, store } = this.deps;
    const { record } = this.live!;
    const channel = meta.channel ?? record.outbox[0]?.channel ?? 'viber';
    const outbox = next.replies.map((reply, position) => ({
      id: `${meta.causeId}:${position}`,
      channel,
      chatId: this.chatId,
      reply,
    }));
    const stillPending = record.pendingEffects.filter(
      (effect) => effect.id !== meta.settled && awaits(next.snapshot, effect.childId),
    );
    const requested = next.effects.map((effect) => ({ id: `${meta.causeId}>${effect.src}`, ...effect }));
    const timers = armTimers(record.timers ?? [], next.timers, {
      causeId: meta.causeId,
      now: this.deps.now(),
      fired: meta.fired,
    });
    const saved: ChatRecord = {
      chatId: this.chatId,
      machineVersion: dialogue.version,
      snapshot: persist(dialogue, next.snapshot),
      version: record.version + 1,
      lastEventSeq: meta.lastEventSeq ?? record.lastEventSeq,
      outbox,
      recentEventIds: meta.recentEventIds ?? record.recentEventIds,
      pendingEffects: [...stillPending, ...requested],
      timers: timers.armed,
    };
    this.deps.fence();
    if (!(await store.save(saved, record.version))) throw new SaveRefused();
    const before = this.live!.snapshot.context as { buttonColor?: string; reminders?: boolean; accounts?: string[] };
    const colorBefore = before.buttonColor;
    this.live = { snapshot: next.snapshot, record: saved };
    this.deps.onStep?.('saved');
    await this.deps.publishReplies(outbox, turn.correlationId);
    // After the replies: the customer's answer does not wait for these KV writes (each swallows its errors).
    const color = (next.snapshot.context as { buttonColor?: string }).buttonColor;
    if (color && color !== colorBefore) await this.deps.onButtonColor?.(color);
    const after = next.snapshot.context as { reminders?: boolean; accounts?: string[] };
    if (
      Boolean(after.reminders) !== Boolean(before.reminders) ||
      (after.reminders && String(after.accounts) !== String(before.accounts))
    ) {
      await this.deps.onReminders?.(Boolean(after.reminders), after.accounts ?? []);
    }
    // After the save: a timer stored but not saved would fire for a state that never was.
    if (timers.scheduled.length > 0) await this.deps.timers?.schedule(timers.scheduled);
    if (timers.cancelled.length > 0) await this.deps.timers?.cancel(timers.cancelled);
    this.deps.onStep?.('published');
  }
}
