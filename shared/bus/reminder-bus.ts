import { nanos } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { busHeaders, ensureDurable, ensureStream, Streams } from './bus.js';
import { ScheduleHeaders } from './timers.js';

/**
 * The reminder tick: one cron schedule (ADR-51, with a time zone since nats-server 2.14) stored in
 * the REMINDERS stream on `reminders.schedule`, which puts a tick on `reminders.tick` every day at
 * the configured time. One durable consumer, shared by every worker, hands each tick to one of them
 * (max_ack_pending 1): that worker fans it out to the chats (services/worker/reminders).
 */
export const ReminderSubjects = {
  Schedule: `${Streams.Reminders.subject}.schedule`,
  Tick: `${Streams.Reminders.subject}.tick`,
} as const;

export const REMINDER_CONSUMER = 'reminders';
export const REMINDER_TIME_ZONE = 'Asia/Irkutsk';

/** What a tick carries: nothing from the schedule (today in Irkutsk is meant); a test or a person may name the day. */
export interface ReminderTick {
  /** YYYY-MM-DD, the day in Irkutsk the tick stands for. */
  day?: string;
}

const encoder = new TextEncoder();

/**
 * Makes the stream, its consumer and the schedule. The schedule is published again at every start
 * (one per subject: the server keeps the newest), so a changed REMINDER_SCHEDULE takes effect.
 * A Msg-Id per cron keeps many workers starting at once from storing it many times.
 */
export async function ensureReminderSchedule(
  js: JetStreamClient,
  jsm: JetStreamManager,
  options: { replicas: number; cron: string; ackWaitMs: number },
): Promise<void> {
  await ensureStream(jsm, Streams.Reminders, options);
  const consumer = {
    durable_name: REMINDER_CONSUMER,
    filter_subject: ReminderSubjects.Tick,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.New,
    ack_wait: nanos(options.ackWaitMs),
    max_ack_pending: 1,
    max_deliver: -1,
  };
  await ensureDurable(jsm, Streams.Reminders.name, consumer, { ack_wait: consumer.ack_wait });
  const last = await jsm.streams
    .getMessage(Streams.Reminders.name, { last_by_subj: ReminderSubjects.Schedule })
    .catch(() => null);
  if (last?.header?.get(ScheduleHeaders.Schedule) === options.cron) return;
  await js.publish(ReminderSubjects.Schedule, encoder.encode('{}'), {
    headers: busHeaders({
      [ScheduleHeaders.Schedule]: options.cron,
      [ScheduleHeaders.TimeZone]: REMINDER_TIME_ZONE,
      [ScheduleHeaders.Target]: ReminderSubjects.Tick,
    }),
  });
}

/** Publishes a tick now (`npm run reminders -- --tick`, tests). */
export async function publishReminderTick(js: JetStreamClient, tick: ReminderTick = {}): Promise<void> {
  await js.publish(ReminderSubjects.Tick, encoder.encode(JSON.stringify(tick)));
}
