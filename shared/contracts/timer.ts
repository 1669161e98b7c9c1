import type { Channel } from './channel.js';
/**
 * A chat's durable timer: a delayed event its dialogue asked for (XState's `after`, or a `raise`
 * with a delay), kept with the chat's record and delivered by the bus into the chat's partition at
 * its time (shared/bus/timers.ts). Not a ChatEvent: no customer or channel made it, and the
 * machine receives the very event XState scheduled.
 */
export interface ArmedTimer {
  /** XState's id for the delayed event (the `after` id or the raise's `id`): re-arming replaces, cancel names it. */
  id: string;
  /**
   * Unique per arming (the cause's id and the timer id): a fired timer whose token is no longer
   * the armed one is stale (the state that set it was left, or set it again since) and is dropped.
   */
  token: string;
  /** When it is due, ms since the epoch. */
  at: number;
  /** The machine event to deliver, as XState made it. */
  event: { type: string } & Record<string, unknown>;
}

/** What arrives on the chat's partition subject when a timer fires. */
export interface TimerFired {
  kind: 'timer';
  chatId: string;
  channel: Channel;
  token: string;
  timerId: string;
  /** When it was due. */
  at: number;
  event: ArmedTimer['event'];
}

export const isTimerFired = (message: { kind?: unknown }): message is TimerFired => message.kind === 'timer';
