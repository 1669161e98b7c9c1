import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { channelOf } from '../contracts/channel.js';
import type { ArmedTimer, TimerFired } from '../contracts/timer.js';
import { busHeaders, partitionOf, partitionSubject, Streams } from './bus.js';
import { sha256Hex } from '../ops/digest.js';

/**
 * Durable chat timers on JetStream message schedules (ADR-51, nats-server >= 2.12). A timer is one
 * schedule message stored in CHAT_EVENTS on its own subject, `chat.events.timers.<p>.<chat>.<timer>`
 * (digests: chat ids are personal data and timer ids hold dots), with `Nats-Schedule: @at <time>`
 * and `Nats-Schedule-Target: chat.events.<p>`. At its time the server publishes its body on the
 * partition subject, where it takes its place in the stream among the customer's events, and purges
 * the schedule. The partition consumers filter on `chat.events.<p>` exactly, so the stored schedules
 * are never delivered themselves. The server keeps one message per schedule subject (roll-up), so
 * arming a timer again replaces it; cancelling purges the subject. Both only save work: the worker
 * drops a fired timer that its chat's record no longer holds armed (ArmedTimer.token).
 * Limit: the stream's max_age (7 days) removes older schedules, so timers are for minutes to days.
 */

/** ADR-51's headers, as nats-server 2.14 spells them (server/stream.go). */
export const ScheduleHeaders = {
  Schedule: 'Nats-Schedule',
  Target: 'Nats-Schedule-Target',
  TimeZone: 'Nats-Schedule-Time-Zone',
  /** On a message a schedule produced: the schedule's subject. */
  Scheduler: 'Nats-Scheduler',
} as const;

const digest = (value: string) => sha256Hex(value, 24);

export const TIMERS_SUBJECT = `${Streams.Events.subject}.timers`;

const timerSubject = (partitions: number, chatId: string, timerId: string) =>
  `${TIMERS_SUBJECT}.${partitionOf(chatId, partitions)}.${digest(chatId)}.${digest(timerId)}`;

/** `@at` takes RFC 3339 in UTC, to the second: a timer is rounded up so it never fires early. */
const atPattern = (at: number) =>
  `@at ${new Date(Math.ceil(at / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')}`;

const encoder = new TextEncoder();

/**
 * Stores the timer's schedule (idempotent: the message id is the arming's token, and the same
 * subject keeps one schedule). Resolves once JetStream has stored it.
 */
export async function scheduleTimer(
  js: JetStreamClient,
  partitions: number,
  chatId: string,
  timer: ArmedTimer,
): Promise<void> {
  const fired: TimerFired = {
    kind: 'timer',
    chatId,
    channel: channelOf(chatId),
    token: timer.token,
    timerId: timer.id,
    at: timer.at,
    event: timer.event,
  };
  await js.publish(timerSubject(partitions, chatId, timer.id), encoder.encode(JSON.stringify(fired)), {
    msgID: `timer:${timer.token}`,
    headers: busHeaders({
      [ScheduleHeaders.Schedule]: atPattern(timer.at),
      [ScheduleHeaders.Target]: partitionSubject(Streams.Events, partitionOf(chatId, partitions)),
    }),
  });
}

/** Removes a timer's schedule, if it has not fired yet. */
export async function cancelTimer(
  jsm: JetStreamManager,
  partitions: number,
  chatId: string,
  timerId: string,
): Promise<void> {
  await jsm.streams.purge(Streams.Events.name, { filter: timerSubject(partitions, chatId, timerId) });
}

/** A chat's timers still stored on the bus (for people: `npm run timers`), with when each is due. */
export async function storedTimers(
  jsm: JetStreamManager,
  partitions: number,
  chatId: string,
  timerIds: readonly string[],
): Promise<{ id: string; schedule?: string }[]> {
  return Promise.all(
    timerIds.map(async (id) => {
      const message = await jsm.streams
        .getMessage(Streams.Events.name, { last_by_subj: timerSubject(partitions, chatId, id) })
        .catch(() => null);
      return { id, ...(message ? { schedule: message.header?.get(ScheduleHeaders.Schedule) } : {}) };
    }),
  );
}
