import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHttpBillingGateway } from '../../shared/adapters/billing-http.js';
import type { BillingGateway } from '../../shared/ports/billing.js';
import { startReference, type RunningReference } from './reference-app.js';

/** The billing's months and periods on a clock the test moves: 10 March 2031 to 2 April 2031. */
describe('reference billing over the months', () => {
  let clock = new Date(2031, 2, 10, 12, 0);
  let reference: RunningReference;
  let billing: BillingGateway;
  const submit = (account: string, meterId: string, value: number) =>
    billing.submitReading({ account, meterId, values: { single: value }, idempotencyKey: randomUUID() });

  beforeAll(async () => {
    reference = await startReference({ now: () => clock });
    billing = createHttpBillingGateway({ baseUrl: `${reference.url}/billing`, timeoutMs: 5_000 });
  });
  afterAll(async () => {
    await reference?.stop();
  });

  test('the seeded previous reading is dated last month', async () => {
    const [meter] = await billing.meters('инзб33334444', 'electricity');
    expect(meter!.zones[0]).toEqual({
      id: 'single',
      name: 'Показание',
      previous: { value: 23780, date: '2031-02-20' },
    });
    expect((await billing.history('инзб33334444', meter!.id, 3)).map((record) => record.date)).toEqual([
      '2031-02-20',
      '2031-01-20',
      '2030-12-20',
    ]);
  });

  test('outside its days the period is closed, naming the days; inside them the reading is taken', async () => {
    expect(await submit('инзб33334444', 'm-33334444-el', 23900)).toEqual({
      accepted: false,
      reason: 'period-closed',
      message: expect.stringContaining('с 15 по 25 число'),
    });
    clock = new Date(2031, 2, 26, 9, 0);
    expect(await submit('инзб33334444', 'm-33334444-el', 23900)).toMatchObject({ reason: 'period-closed' });
    clock = new Date(2031, 2, 20, 9, 0);
    expect(await submit('инзб33334444', 'm-33334444-el', 23900)).toEqual({ accepted: true, date: '2031-03-20' });
    const [meter] = await billing.meters('инзб33334444', 'electricity');
    expect(meter!.zones[0]!.current).toEqual({ value: 23900, date: '2031-03-20' });
  });

  test('a rolled-over dial is the bot’s to judge: billing takes the lower value', async () => {
    expect(await submit('инзб87654321', 'm-87654321-el', 30)).toEqual({ accepted: true, date: '2031-03-20' });
  });

  test('next month, this month’s reading becomes the previous one', async () => {
    clock = new Date(2031, 3, 2, 9, 0);
    const [meter] = await billing.meters('инзб87654321', 'electricity');
    expect(meter!.zones[0]).toEqual({ id: 'single', name: 'Показание', previous: { value: 30, date: '2031-03-20' } });
  });
});
