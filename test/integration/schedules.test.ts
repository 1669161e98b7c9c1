import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { nanos } from '@nats-io/transport-node';
import { Streams, type Bus } from '../../shared/bus/bus.js';
import { ensureTopology } from '../../shared/bus/chat-bus.js';
import { ensureReminderSchedule, REMINDER_CONSUMER, ReminderSubjects } from '../../shared/bus/reminder-bus.js';
import { ScheduleHeaders } from '../../shared/bus/timers.js';
import { freshBus } from '../harness/infra.js';

/** JetStream message schedules as the bot relies on them, against the real nats-server of the suite. */
describe('message schedules on the bus', () => {
  let bus: Bus;
  beforeAll(async () => {
    bus = await freshBus();
  });
  afterAll(async () => {
    await bus?.close();
  });

  test('a CHAT_EVENTS stream made by the previous version gets schedules by update, keeping its messages', async () => {
    await bus.jsm.streams.add({
      name: Streams.Events.name,
      subjects: [`${Streams.Events.subject}.>`],
      duplicate_window: nanos(3_600_000),
    });
    await bus.js.publish(`${Streams.Events.subject}.0`, '{}');
    await ensureTopology(bus.jsm, { partitions: 4, replicas: 1, ackWaitMs: 5_000 });
    const info = await bus.jsm.streams.info(Streams.Events.name);
    expect(info.config.allow_msg_schedules).toBe(true);
    expect(info.state.messages).toBe(1);
  });

  test('the reminder cron (with its time zone) ticks; a changed cron replaces the schedule', async () => {
    // Every second, compressed from «0 0 10 * * *» as a test sets REMINDER_SCHEDULE.
    await ensureReminderSchedule(bus.js, bus.jsm, { replicas: 1, cron: '* * * * * *', ackWaitMs: 5_000 });
    const consumer = await bus.js.consumers.get(Streams.Reminders.name, REMINDER_CONSUMER);
    const ticks: string[] = [];
    const messages = await consumer.consume({ max_messages: 1, expires: 2_000 });
    setTimeout(() => void messages.close(), 3_600);
    for await (const msg of messages) {
      ticks.push(msg.subject);
      msg.ack();
    }
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(new Set(ticks)).toEqual(new Set([ReminderSubjects.Tick]));

    await ensureReminderSchedule(bus.js, bus.jsm, { replicas: 1, cron: '0 0 10 * * *', ackWaitMs: 5_000 });
    const schedule = await bus.jsm.streams.getMessage(Streams.Reminders.name, {
      last_by_subj: ReminderSubjects.Schedule,
    });
    expect(schedule!.header?.get(ScheduleHeaders.Schedule)).toBe('0 0 10 * * *');
    expect(schedule!.header?.get(ScheduleHeaders.TimeZone)).toBe('Asia/Irkutsk');
    const info = await bus.jsm.streams.info(Streams.Reminders.name, { subjects_filter: ReminderSubjects.Schedule });
    expect(info.state.subjects?.[ReminderSubjects.Schedule]).toBe(1);
  });
});
