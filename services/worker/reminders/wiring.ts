import { Counter, type Registry } from 'prom-client';
import type { Bus } from '../../../shared/bus/bus.js';
import { ensureReminderSchedule } from '../../../shared/bus/reminder-bus.js';
import { cancelTimer, scheduleTimer } from '../../../shared/bus/timers.js';
import type { Logger } from '../../../shared/ops/logger.js';
import type { BillingGateway } from '../../../shared/ports/billing.js';
import type { ChatActorDeps } from '../actors/chat-actor.js';
import { consumeReminderTicks } from './fan-out.js';
import { natsReminderRegistry } from './registry.js';

export interface TimersAndRemindersOptions {
  bus: Bus;
  partitions: number;
  replicas: number;
  ackWaitMs: number;
  billing: BillingGateway;
  reminderSchedule: string;
  reminderRate: number;
  registry: Registry;
  logger: Logger;
}

/**
 * What a worker adds for durable timers and reading reminders: each chat's timer port (schedules on
 * the bus), the consent registry kept in step with the chats, and the daily tick's fan-out.
 */
export async function startTimersAndReminders(options: TimersAndRemindersOptions) {
  const { bus, partitions, logger } = options;
  await ensureReminderSchedule(bus.js, bus.jsm, {
    replicas: options.replicas,
    cron: options.reminderSchedule,
    ackWaitMs: options.ackWaitMs,
  });
  const reminders = await natsReminderRegistry(bus.js, options.replicas);
  const fannedOut = new Counter({
    name: 'energobot_reminders_fanned_out_total',
    help: 'Accounts looked at by the reminder fan-out, by outcome (published, not-due, reading-in, failed)',
    labelNames: ['outcome'],
    registers: [options.registry],
  });
  const ticks = await consumeReminderTicks({
    js: bus.js,
    partitions,
    billing: options.billing,
    registry: reminders,
    perSecond: options.reminderRate,
    ackWaitMs: options.ackWaitMs,
    logger,
    onCounted: (outcome) => fannedOut.inc({ outcome }),
  });
  return {
    /** The chat actor's ports for its timers and its consent. */
    depsFor(chatId: string): Pick<ChatActorDeps, 'timers' | 'onSaved'> {
      return {
        timers: {
          schedule: async (timers) =>
            void (await Promise.all(timers.map((timer) => scheduleTimer(bus.js, partitions, chatId, timer)))),
          // Best effort: a schedule left behind fires as a stale timer, which the chat drops.
          cancel: async (ids) =>
            void (await Promise.all(
              ids.map((id) =>
                cancelTimer(bus.jsm, partitions, chatId, id).catch((error: unknown) =>
                  logger.warn({ err: error }, 'timer not cancelled; it will be dropped as stale'),
                ),
              ),
            )),
        },
        // The fan-out reads who consented, with their accounts. Best effort too: the chat's machine
        // checks consent itself before it says anything.
        onSaved: async (before, after) => {
          const on = after.reminders === true;
          if (on === (before.reminders === true) && (!on || String(after.accounts) === String(before.accounts))) return;
          await reminders
            .set(chatId, on, after.accounts ?? [])
            .catch((error: unknown) => logger.warn({ err: error }, 'reminder registry not updated'));
        },
      };
    },
    stop: () => ticks.stop(),
  };
}
