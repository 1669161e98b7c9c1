import { Counter, Gauge, type Registry } from 'prom-client';
import { withTimeout } from '../../shared/ops/with-timeout.js';
import type { ParkedChats } from '../../shared/ports/parked-chats.js';

export interface OutboundMeter {
  expired(): void;
  reminderDropped(): void;
}

/** Replies given up on because they grew too old, and chats waiting for a person's replay. */
export function registerOutboundMetrics(registry: Registry, parked: ParkedChats): OutboundMeter {
  const expired = new Counter({
    name: 'energobot_replies_expired_total',
    help: 'Replies filed as dead letters because they were older than REPLY_MAX_AGE_MS and still could not be sent',
    registers: [registry],
  });
  expired.inc(0);
  const remindersDropped = new Counter({
    name: 'energobot_reminders_dropped_total',
    help:
      'Reading reminders Viber refused because the customer unsubscribed (status 6): ' +
      'dropped, their chats not parked',
    registers: [registry],
  });
  remindersDropped.inc(0);
  new Gauge({
    name: 'energobot_parked_chats',
    help: 'Chats whose replies wait behind a dead letter until it is replayed (npm run replay-dead-letters)',
    registers: [registry],
    async collect() {
      // Read at scrape time, shared by every outbound process: aggregate with max().
      const count = await withTimeout(parked.count(), 2_000, 'parked chats').catch(() => undefined);
      if (count === undefined) this.reset();
      else this.set(count);
    },
  });
  return { expired: () => expired.inc(), reminderDropped: () => remindersDropped.inc() };
}
