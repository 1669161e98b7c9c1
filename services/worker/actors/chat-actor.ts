import type { AnyMachineSnapshot } from 'xstate';
import type { Dialogue } from '../../../machines/dialogue.js';
import { toMachineEvent } from '../../../machines/events.js';
import type { ChatEvent } from '../../../shared/contracts/chat-event.js';
import { channelOf, type Channel } from '../../../shared/contracts/channel.js';
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
  /**
   * A step was saved: the chat's settings before and after it, for whoever keeps a copy outside
   * the store (the colour for ingress's welcome, the reminder consent for the fan-out). Runs after
   * the replies are on the bus, so the customer's answer does not wait for it; must not throw.
   */
  onSaved?(before: ChatSettingsView, after: ChatSettingsView): Promise<void>;
  /** Each transition, for live inspection: the state before, the state after, the event's type. */
  onTransition?(from: unknown, to: unknown, eventType: string): void;
  /**
   * Stores the schedules of timers armed and removes those of timers cancelled, after the state
   * holding them is saved (idempotent: run again when the event is redelivered). Without it the
   * timers are kept in the record only (unit tests).
   */
  timers?: { schedule(timers: ArmedTimer[]): Promise<void>; cancel(timerIds: string[]): Promise<void> };
}

/** The parts of a chat's context kept outside the store too. */
export interface ChatSettingsView {
  buttonColor?: string;
  reminders?: boolean;
  accounts?: string[];
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

/** What makes a turn: a customer's event or a fired timer, as the turn needs to know it. */
interface TurnCause {
  /** What the machine receives. */
  event: Parameters<typeof step>[2];
  /** Its type, for live inspection. */
  label: string;
  /** Why the chat's saved state does not take it (a repeat, a stale timer), or undefined when it does. */
  refusal(record: ChatRecord): 'duplicate' | 'stale' | undefined;
  /** What the saved step records of it: its id (the replies' and effects' ids derive from it). */
  saved(record: ChatRecord): { causeId: string; recentEventIds?: string[]; fired?: string };
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

  /** The messenger the chat is on: its id says which (its replies and its payments go there). */
  private readonly channel: Channel;

  constructor(
    readonly chatId: string,
    private readonly deps: ChatActorDeps,
  ) {
    this.channel = channelOf(chatId);
  }

  get active(): boolean {
    return this.live !== null;
  }

  /** Forgets the in-memory state: the next turn reads the store. */
  passivate(): void {
    this.live = null;
  }

  /** Applies one event exactly once; resolves once its effects have settled and every reply is on the bus. */
  handle(event: ChatEvent, seq: number, turn: Turn): Promise<ApplyOutcome> {
    return this.onTheTruth(turn, (options) =>
      this.runTurn(
        {
          event: toMachineEvent(event),
          label: `chat.${event.kind}`,
          // The same callback stored twice under two sequences: its turn already ran.
          refusal: (record) => (record.recentEventIds.includes(event.id) ? 'duplicate' : undefined),
          saved: (record) => ({
            causeId: event.id,
            recentEventIds: [...record.recentEventIds, event.id].slice(-RECENT_EVENT_IDS),
          }),
        },
        seq,
        turn,
        options,
      ),
    );
  }

  /**
   * A durable timer fired. It runs like a customer's event, in the partition's order, but only if
   * the saved state still has it armed under the same token: otherwise the state that set it was
   * left (or set it again) and it is dropped as stale.
   */
  fire(timer: TimerFired, seq: number, turn: Turn): Promise<ApplyOutcome> {
    return this.onTheTruth(turn, (options) =>
      this.runTurn(
        {
          event: timer.event,
          label: 'xstate.after',
          refusal: (record) => (record.timers.some((armed) => armed.token === timer.token) ? undefined : 'stale'),
          saved: () => ({ causeId: timer.token, fired: timer.token }),
        },
        seq,
        turn,
        options,
      ),
    );
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
   * One turn, whatever caused it: the chat's state (from memory, else the store), then the cause's
   * stream sequence decides whether it already ran (its replies go out again) or is behind the
   * chat; then effects left pending by a holder that stopped settle first (the machine is waiting
   * on them); then the machine steps on the cause's event, the step is saved, and its own effects
   * run. `refusal` is asked before and after settling, which may have left the state the cause
   * needs (a timer's).
   */
  private async runTurn(
    cause: TurnCause,
    seq: number,
    turn: Turn,
    options: { verify?: boolean },
  ): Promise<ApplyOutcome> {
    const live = this.live ?? (await this.activateFromStore(turn.logger, options.verify ?? false));
    if (live.record.lastEventSeq === seq) return this.redelivered(live.record, turn);
    if (live.record.lastEventSeq > seq) return 'stale';
    const refused = cause.refusal(live.record);
    if (refused) return refused;
    await this.settlePending(turn);
    const current = this.live!;
    const refusedNow = cause.refusal(current.record);
    if (refusedNow) return refusedNow;
    const next = step(this.deps.dialogue, current.snapshot, cause.event);
    this.deps.onTransition?.(current.snapshot.value, next.snapshot.value, cause.label);
    await this.commit(turn, next, { ...cause.saved(current.record), lastEventSeq: seq });
    await this.settlePending(turn);
    return 'applied';
  }

  /**
   * A saved turn's event came again: its replies go out again (the bus drops repeats by id), and
   * its timers' schedules.
   */
  private async redelivered(record: ChatRecord, turn: Turn): Promise<ApplyOutcome> {
    await this.deps.publishReplies(record.outbox, turn.correlationId);
    // In case the worker stopped before storing them (stored once: their ids are the arming's token).
    await this.deps.timers?.schedule(record.timers);
    await this.settlePending(turn);
    return 'redelivered';
  }

  private dropping(error: unknown): unknown {
    // After a failure the in-memory state may be ahead of or behind the store.
    this.live = null;
    return error;
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
    this.live = { snapshot, record: { ...record, pendingEffects, timers: reset ? [] : record.timers } };
    return this.live;
  }

  /** Runs the saved state's pending effects one by one, each outcome saved before the next runs. */
  private async settlePending(turn: Turn): Promise<void> {
    for (let live = this.live!; live.record.pendingEffects.length > 0; live = this.live!) {
      const effect = live.record.pendingEffects[0]!;
      this.deps.fence();
      this.deps.onStep?.('before-effect');
      const outcome = await this.deps.runEffect(effect, { channel: this.channel });
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
      lastEventSeq?: number;
      recentEventIds?: string[];
    },
  ) {
    const { dialogue, store } = this.deps;
    const { record } = this.live!;
    const now = this.deps.now();
    const outbox = next.replies.map((reply, position) => ({
      id: `${meta.causeId}:${position}`,
      channel: this.channel,
      chatId: this.chatId,
      reply,
      madeAt: now,
    }));
    const stillPending = record.pendingEffects.filter(
      (effect) => effect.id !== meta.settled && awaits(next.snapshot, effect.childId),
    );
    const requested = next.effects.map((effect) => ({ id: `${meta.causeId}>${effect.src}`, ...effect }));
    const timers = armTimers(record.timers, next.timers, {
      causeId: meta.causeId,
      now,
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
    const before = this.live!.snapshot.context as ChatSettingsView;
    this.live = { snapshot: next.snapshot, record: saved };
    this.deps.onStep?.('saved');
    await this.deps.publishReplies(outbox, turn.correlationId);
    await this.deps.onSaved?.(before, next.snapshot.context as ChatSettingsView);
    // After the save: a timer stored but not saved would fire for a state that never was.
    if (timers.scheduled.length > 0) await this.deps.timers?.schedule(timers.scheduled);
    if (timers.cancelled.length > 0) await this.deps.timers?.cancel(timers.cancelled);
    this.deps.onStep?.('published');
  }
}
