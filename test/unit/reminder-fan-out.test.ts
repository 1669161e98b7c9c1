import { describe, expect, test } from 'vitest';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { ChatEvent } from '../../shared/contracts/chat-event.js';
import type { BillingGateway, Meter } from '../../shared/ports/billing.js';
import { createLogger } from '../../shared/ops/logger.js';
import { fanOutReminders, irkutskDay, type ReminderEntry } from '../../services/worker/index.js';

const meter = (current: boolean): Meter => ({
  id: 'm',
  serviceId: 's',
  serialNumber: '1',
  unit: 'кВт·ч',
  digits: 6,
  maxPlausibleConsumption: 1000,
  zones: [
    {
      id: 'single',
      name: 'Показание',
      previous: { value: 1, date: '2026-11-20' },
      ...(current ? { current: { value: 2, date: '2026-12-15' } } : {}),
    },
  ],
});

/** Billing where the account's name says it all: «from15» opens on the 15th, «in» has its reading in. */
const billing: Pick<BillingGateway, 'submissionPeriod' | 'services' | 'meters'> = {
  submissionPeriod: async (account) => (account.includes('any') ? null : { fromDay: 15, toDay: 25 }),
  services: async () => [{ id: 's', name: 'Электроэнергия' }],
  meters: async (account) => {
    if (account.includes('down')) throw new Error('billing down');
    return [meter(account.includes('in'))];
  },
};

function fakeBus() {
  const published: { subject: string; event: ChatEvent; msgID?: string; at: number }[] = [];
  const js = {
    publish: async (subject: string, data: Uint8Array, options?: { msgID?: string }) => {
      published.push({
        subject,
        event: JSON.parse(new TextDecoder().decode(data)) as ChatEvent,
        msgID: options?.msgID,
        at: Date.now(),
      });
      return { duplicate: false, seq: published.length, stream: 'CHAT_EVENTS' };
    },
  } as unknown as JetStreamClient;
  return { js, published };
}

const registryOf = (entries: ReminderEntry[]) => ({
  set: async () => undefined,
  async *entries() {
    yield* entries;
  },
});

const silent = createLogger('fan-out-test', 'silent');

describe('the reminder fan-out', () => {
  test(
    'one event per account whose window opens that day and whose reading is not in, ' +
      'keyed by chat, account and month',
    async () => {
      const { js, published } = fakeBus();
      const registry = registryOf([
        { chatId: 'c1', accounts: ['from15-a', 'from15-in', 'any-b'] },
        { chatId: 'c2', accounts: ['from15-a', 'from15-down'] },
      ]);
      const counts = await fanOutReminders(
        { js, partitions: 4, billing, registry, perSecond: 1000, logger: silent },
        { day: '2026-12-15' },
      );
      expect(counts).toEqual({ published: 2, 'not-due': 1, 'reading-in': 1, failed: 1 });
      expect(published.map((p) => [p.event.chatId, p.event.kind === 'reminder' && p.event.account])).toEqual([
        ['c1', 'from15-a'],
        ['c2', 'from15-a'],
      ]);
      expect(new Set(published.map((p) => p.msgID)).size).toBe(2);
      expect(published[0]!.msgID).toMatch(/^viber:reminder:[0-9a-f]{12}:from15-a:2026-12$/);
      expect(published[0]!.event).toMatchObject({ period: '2026-12', window: { fromDay: 15, toDay: 25 } });
    },
  );

  test('paced: at 50 a second, ten reminders take about 180 ms or more', async () => {
    const { js, published } = fakeBus();
    const registry = registryOf(Array.from({ length: 10 }, (_, i) => ({ chatId: `c${i}`, accounts: ['any-x'] })));
    await fanOutReminders(
      { js, partitions: 4, billing, registry, perSecond: 50, logger: silent },
      { day: '2027-01-01' },
    );
    expect(published).toHaveLength(10);
    expect(published.at(-1)!.at - published[0]!.at).toBeGreaterThanOrEqual(170);
  });

  test('a worker shutting down stops and hands the tick over', async () => {
    const { js } = fakeBus();
    const registry = registryOf([{ chatId: 'c', accounts: ['any-x'] }]);
    expect(
      await fanOutReminders(
        { js, partitions: 4, billing, registry, perSecond: 50, logger: silent },
        {},
        undefined,
        () => true,
      ),
    ).toBe('stopped');
  });

  test('today is the day in Irkutsk (UTC+8)', () => {
    expect(irkutskDay(Date.UTC(2026, 11, 31, 16, 30))).toBe('2027-01-01');
    expect(irkutskDay(Date.UTC(2026, 11, 31, 15, 30))).toBe('2026-12-31');
  });
});
