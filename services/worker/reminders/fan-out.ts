import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { Streams } from '../../../shared/bus/bus.js';
import { publishChatEvent } from '../../../shared/bus/chat-bus.js';
import { REMINDER_CONSUMER, REMINDER_TIME_ZONE, type ReminderTick } from '../../../shared/bus/reminder-bus.js';
import type { ChatEvent } from '../../../shared/contracts/chat-event.js';
import { channelOf } from '../../../shared/contracts/channel.js';
import { chatTag, type Logger } from '../../../shared/ops/logger.js';
import type { BillingGateway } from '../../../shared/ports/billing.js';
import type { ReminderRegistry } from './registry.js';

export interface FanOutDeps {
  js: JetStreamClient;
  partitions: number;
  billing: Pick<BillingGateway, 'submissionPeriod' | 'services' | 'meters'>;
  registry: ReminderRegistry;
  /** Reminder events put on the bus per second at most: Viber's pace, so live replies keep theirs. */
  perSecond: number;
  /** Accounts looked up in billing at once (16). */
  concurrency?: number;
  logger: Logger;
  now?: () => number;
  onCounted?(outcome: 'published' | 'not-due' | 'reading-in' | 'failed'): void;
}

/** The day in Irkutsk, YYYY-MM-DD: submission windows are days of the month there. */
export const irkutskDay = (at: number) =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: REMINDER_TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Has every zone of every meter of the account a reading in the current period? */
async function readingIn(billing: FanOutDeps['billing'], account: string): Promise<boolean> {
  const services = await billing.services(account);
  const meters = (await Promise.all(services.map((service) => billing.meters(account, service.id)))).flat();
  return meters.length > 0 && meters.every((meter) => meter.zones.every((zone) => zone.current !== undefined));
}

/**
 * One tick, fanned out: for each consenting chat and each account it linked, if the account's
 * submission window opens on `day` (its first day; the 1st when readings are taken any day) and
 * its reading is not in yet, one `reminder` event goes into the chat's partition, where the chat's
 * machine decides whether to say it (consent, still linked, not said this month). The event's id
 * names chat, account and month: the bus stores it once (duplicate window), and the machine says
 * it once (its `reminded` month), so a tick handled twice reminds nobody twice. Paced at
 * `perSecond`, so a million reminders spread over the morning instead of crowding live turns.
 */
export async function fanOutReminders(
  deps: FanOutDeps,
  tick: ReminderTick,
  keepAlive: () => void = () => undefined,
  stopping: () => boolean = () => false,
): Promise<Record<string, number> | 'stopped'> {
  const now = deps.now ?? Date.now;
  const day = tick.day ?? irkutskDay(now());
  const month = day.slice(0, 7);
  const dayOfMonth = Number(day.slice(8, 10));
  const counts: Record<string, number> = { published: 0, 'not-due': 0, 'reading-in': 0, failed: 0 };
  const count = (outcome: 'published' | 'not-due' | 'reading-in' | 'failed') => {
    counts[outcome]!++;
    deps.onCounted?.(outcome);
  };
  const gapMs = 1000 / deps.perSecond;
  let next = now();
  /** The next free publishing slot, taken synchronously: concurrent checks keep the pace between them. */
  const paced = async () => {
    const slot = Math.max(next, now());
    next = slot + gapMs;
    if (slot > now()) await sleep(slot - now());
  };

  async function remind(chatId: string, account: string) {
    try {
      const period = await deps.billing.submissionPeriod(account);
      if ((period?.fromDay ?? 1) !== dayOfMonth) return count('not-due');
      if (await readingIn(deps.billing, account)) return count('reading-in');
      await paced();
      const event: ChatEvent = {
        kind: 'reminder',
        id: `reminder:${chatTag(chatId)}:${account}:${month}`,
        channel: channelOf(chatId),
        chatId,
        at: now(),
        account,
        period: month,
        ...(period ? { window: period } : {}),
      };
      await publishChatEvent(deps.js, deps.partitions, event, `reminder-${day}`);
      count('published');
    } catch (error) {
      // One account's billing failing costs its reminder, not everyone's.
      count('failed');
      deps.logger.warn({ err: error, chat: chatTag(chatId) }, 'reminder not published');
    }
  }

  // Billing's answers take tens of milliseconds: several accounts are looked at at once, so the
  // pace, not billing's latency, bounds the fan-out.
  const inFlight = new Set<Promise<void>>();
  for await (const entry of deps.registry.entries()) {
    // A worker shutting down hands the tick over rather than hold its shutdown for the morning.
    if (stopping()) {
      await Promise.all(inFlight);
      return 'stopped';
    }
    for (const account of entry.accounts) {
      keepAlive();
      if (inFlight.size >= (deps.concurrency ?? 16)) await Promise.race(inFlight);
      const task: Promise<void> = remind(entry.chatId, account).finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
  }
  await Promise.all(inFlight);
  deps.logger.info({ day, ...counts }, 'reminders fanned out');
  return counts;
}

/**
 * Takes the daily ticks from the shared consumer: one worker at a time gets a tick (max_ack_pending
 * 1) and fans it out, telling the server it is still working on it, then acknowledges it. A worker
 * that dies mid-way leaves the tick to another, which publishes again (stored once, said once).
 */
export async function consumeReminderTicks(
  deps: FanOutDeps & { ackWaitMs: number },
): Promise<{ stop(): Promise<void> }> {
  let stopped = false;
  let messages: { close(): Promise<void | Error> } | undefined;
  const loop = (async () => {
    // Pulled again after anything ends the pull (a restarted nats-server, a deleted consumer).
    while (!stopped) {
      try {
        const consumer = await deps.js.consumers.get(Streams.Reminders.name, REMINDER_CONSUMER);
        const pulled = await consumer.consume({ max_messages: 1, expires: 5_000 });
        messages = pulled;
        for await (const msg of pulled) {
          await handleTick(deps, msg, () => stopped).catch((error: unknown) =>
            deps.logger.error({ err: error }, 'reminder tick failed; it comes again'),
          );
        }
      } catch (error) {
        if (!stopped) deps.logger.warn({ err: error }, 'reminder ticks not pulled; trying again');
      }
      if (!stopped) await sleep(1_000);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await messages?.close().catch(() => undefined);
      await loop.catch(() => undefined);
    },
  };
}

async function handleTick(deps: FanOutDeps & { ackWaitMs: number }, msg: JsMsg, stopping: () => boolean) {
  let tick: ReminderTick = {};
  try {
    tick = msg.json<ReminderTick>() ?? {};
  } catch {
    // The schedule's body is `{}`; anything unreadable means today.
  }
  let last = Date.now();
  const keepAlive = () => {
    if (Date.now() - last < deps.ackWaitMs / 3) return;
    last = Date.now();
    msg.working();
  };
  try {
    // Stopped half-way: another worker takes the tick at once and publishes again (stored once, said once).
    if ((await fanOutReminders(deps, tick, keepAlive, stopping)) === 'stopped') msg.nak();
    else msg.ack();
  } catch (error) {
    msg.nak(5_000);
    throw error;
  }
}
