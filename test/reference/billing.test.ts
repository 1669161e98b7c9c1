import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHttpBillingGateway } from '../../shared/adapters/billing-http.js';
import { BillingUnavailableError, type BillingGateway } from '../../shared/ports/billing.js';
import { isoDate } from '../../fakes/reference/calendar.js';
import { HISTORY_MONTHS } from '../../fakes/reference/demo-accounts.js';
import { setFaults, startReference, type RunningReference } from './reference-app.js';

const key = () => `test-${randomUUID()}`;

describe('reference billing through the HTTP billing adapter', () => {
  let reference: RunningReference;
  let billing: BillingGateway;

  beforeAll(async () => {
    reference = await startReference();
    billing = createHttpBillingGateway({ baseUrl: `${reference.url}/billing/`, timeoutMs: 5_000 });
  });
  afterAll(async () => {
    await reference?.stop();
  });

  test('finds a demo account by number, and an unknown number is null', async () => {
    expect(await billing.findAccount('инзб12345678')).toEqual({
      number: 'инзб12345678',
      phone: '79001234567',
      address: 'г. Иркутск, ул. Ленина, д. 1, кв. 5',
    });
    expect(await billing.findAccount('инзб00000000')).toBeNull();
  });

  test('an operator-shaped account number finds nothing and breaks nothing', async () => {
    for (const number of ['{"$gt": ""}', '{"$ne": null}', '../../sms/outbox', '']) {
      expect(await billing.findAccount(number)).toBeNull();
    }
    await expect(billing.services('{"$gt": ""}')).rejects.toThrow(BillingUnavailableError);
    // A repeated query parameter is an array, not a string: refused before any query.
    const response = await fetch(
      `${reference.url}/billing/accounts/${encodeURIComponent('инзб12345678')}` +
        `/meters?service[$ne]=x&service=electricity&service=heating`,
    );
    expect(response.status).toBe(400);
    expect(await billing.findAccount('инзб12345678')).not.toBeNull();
  });

  test('lists the services of an account', async () => {
    expect(await billing.services('инзб12345678')).toEqual([
      { id: 'electricity', name: 'Электроэнергия' },
      { id: 'heating', name: 'Отопление' },
      { id: 'hot-water', name: 'Горячее водоснабжение' },
    ]);
    expect(await billing.services('инзб87654321')).toEqual([{ id: 'electricity', name: 'Электроэнергия' }]);
  });

  test('a two-tariff meter has day and night zones, each with its previous reading from an earlier month', async () => {
    const [meter, ...others] = await billing.meters('инзб12345678', 'electricity');
    expect(others).toEqual([]);
    expect(meter).toMatchObject({ serviceId: 'electricity', unit: 'кВт·ч', digits: 6, maxPlausibleConsumption: 1500 });
    expect(meter!.zones.map((zone) => [zone.id, zone.name, zone.previous.value])).toEqual([
      ['day', 'День', 12345],
      ['night', 'Ночь', 5432],
    ]);
    const firstOfMonth = isoDate(new Date(new Date().getFullYear(), new Date().getMonth(), 1));
    for (const zone of meter!.zones) {
      expect(zone.previous.date < firstOfMonth).toBe(true);
      expect(zone.current).toBeUndefined();
    }
    const [heat] = await billing.meters('инзб12345678', 'heating');
    expect(heat).toMatchObject({ unit: 'Гкал', digits: 5, zones: [{ id: 'single', previous: { value: 123.456 } }] });
    const [rollover] = await billing.meters('инзб87654321', 'electricity');
    expect(rollover).toMatchObject({ digits: 5, zones: [{ id: 'single', previous: { value: 99950 } }] });
  });

  test('history is newest first and limited', async () => {
    const [meter] = await billing.meters('инзб11112222', 'electricity');
    const history = await billing.history('инзб11112222', meter!.id, 10);
    expect(history).toHaveLength(HISTORY_MONTHS);
    const dates = history.map((record) => record.date);
    expect(dates).toEqual([...dates].sort().reverse());
    expect(history[0]).toEqual({ date: meter!.zones[0]!.previous.date, values: { single: 4821 } });
    expect(history[1]!.values.single).toBeLessThan(4821);
    expect(await billing.history('инзб11112222', meter!.id, 2)).toEqual(history.slice(0, 2));
    await expect(billing.history('инзб11112222', 'm-12345678-el', 2)).rejects.toThrow(BillingUnavailableError);
  });

  test('accepts a reading once per idempotency key, and a second one this month replaces it', async () => {
    const [meter] = await billing.meters('инзб12345678', 'electricity');
    const submission = {
      account: 'инзб12345678',
      meterId: meter!.id,
      values: { day: 12500, night: 5500 },
      idempotencyKey: key(),
    };
    const today = isoDate(new Date());

    expect(await billing.submitReading(submission)).toEqual({ accepted: true, date: today });
    expect(await billing.submitReading(submission)).toEqual({ accepted: true, date: today });
    const afterFirst = await billing.history('инзб12345678', meter!.id, 20);
    expect(afterFirst).toHaveLength(HISTORY_MONTHS + 1);
    expect(afterFirst[0]).toEqual({ date: today, values: { day: 12500, night: 5500 } });
    const [withCurrent] = await billing.meters('инзб12345678', 'electricity');
    expect(withCurrent!.zones.map((zone) => [zone.previous.value, zone.current])).toEqual([
      [12345, { value: 12500, date: today }],
      [5432, { value: 5500, date: today }],
    ]);

    // The customer corrects the reading: same month, new key.
    expect(
      await billing.submitReading({ ...submission, values: { day: 12490, night: 5501 }, idempotencyKey: key() }),
    ).toEqual({ accepted: true, date: today });
    const afterCorrection = await billing.history('инзб12345678', meter!.id, 20);
    expect(afterCorrection).toHaveLength(HISTORY_MONTHS + 1);
    expect(afterCorrection[0]!.values).toEqual({ day: 12490, night: 5501 });

    // The first key again: its answer again, and no write over the correction.
    expect(await billing.submitReading(submission)).toEqual({ accepted: true, date: today });
    expect((await billing.history('инзб12345678', meter!.id, 1))[0]!.values).toEqual({ day: 12490, night: 5501 });
  });

  test('one key sent several times at once is one reading and one answer', async () => {
    const submission = {
      account: 'инзб12345678',
      meterId: 'm-12345678-hw',
      values: { single: 250.5 },
      idempotencyKey: key(),
    };
    const results = await Promise.all(Array.from({ length: 20 }, () => billing.submitReading(submission)));
    expect(new Set(results.map((result) => JSON.stringify(result)))).toEqual(
      new Set([JSON.stringify({ accepted: true, date: isoDate(new Date()) })]),
    );
    const history = await billing.history('инзб12345678', 'm-12345678-hw', 20);
    expect(history).toHaveLength(HISTORY_MONTHS + 1);
    expect(history[0]!.values).toEqual({ single: 250.5 });
  });

  test('refuses values that are not one finite, non-negative number per zone of the meter', async () => {
    const submit = (values: Record<string, unknown>) =>
      billing.submitReading({
        account: 'инзб12345678',
        meterId: 'm-12345678-el',
        values: values as Record<string, number>,
        idempotencyKey: key(),
      });
    for (const values of [
      { day: 1 },
      { day: 1, night: 2, peak: 3 },
      { day: -1, night: 2 },
      { day: '100', night: 2 },
      { day: null, night: 2 },
      { single: 5 },
      { day: 1_000_000, night: 1 },
    ]) {
      const result = await submit(values);
      expect(result, JSON.stringify(values)).toMatchObject({ accepted: false, reason: 'invalid' });
      expect((result as { message: string }).message).toMatch(/[а-я]/);
    }
    // 1e400 is valid JSON and parses as Infinity.
    const response = await fetch(`${reference.url}/billing/readings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body:
        `{"account":"инзб11112222","meterId":"m-11112222-el","values":{"single":1e400},` +
        `"idempotencyKey":"${key()}"}`,
    });
    expect(await response.json()).toMatchObject({ accepted: false, reason: 'invalid' });
    expect((await billing.history('инзб11112222', 'm-11112222-el', 1))[0]!.values.single).toBe(4821);
  });

  test('a meter of another account, or no meter at all, is an unknown meter', async () => {
    for (const [account, meterId] of [
      ['инзб87654321', 'm-12345678-el'],
      ['инзб12345678', 'nope'],
      ['инзб00000000', 'm-12345678-el'],
    ] as const) {
      expect(
        await billing.submitReading({ account, meterId, values: { single: 1 }, idempotencyKey: key() }),
      ).toMatchObject({ accepted: false, reason: 'unknown-meter' });
    }
  });

  test('инзб33334444 takes readings from the 15th to the 25th only', async () => {
    expect(await billing.submissionPeriod('инзб33334444')).toEqual({ fromDay: 15, toDay: 25 });
    expect(await billing.submissionPeriod('инзб12345678')).toBeNull();
    const day = new Date().getDate();
    const result = await billing.submitReading({
      account: 'инзб33334444',
      meterId: 'm-33334444-el',
      values: { single: 23900 },
      idempotencyKey: key(),
    });
    if (day >= 15 && day <= 25) expect(result).toEqual({ accepted: true, date: isoDate(new Date()) });
    else
      expect(result).toEqual({
        accepted: false,
        reason: 'period-closed',
        message: expect.stringMatching(/с 15 по 25/),
      });
  });

  test('the amount due is the seeded one, split over the services', async () => {
    expect(await billing.amountDue('инзб12345678')).toEqual({
      account: 'инзб12345678',
      total: 264285,
      lines: [
        { service: 'Электроэнергия', amount: 118432 },
        { service: 'Отопление', amount: 98765 },
        { service: 'Горячее водоснабжение', amount: 47088 },
      ],
    });
  });

  test('while billing is down the adapter throws BillingUnavailableError, naming the operation only', async () => {
    await setFaults(reference.url, { billing: 'down' });
    try {
      const failure = await billing.findAccount('инзб12345678').catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(BillingUnavailableError);
      expect((failure as Error).message).toBe('billing findAccount: answered 503');
      await expect(billing.amountDue('инзб12345678')).rejects.toThrow(BillingUnavailableError);
    } finally {
      await setFaults(reference.url, { billing: 'up' });
    }
    expect(await billing.findAccount('инзб12345678')).not.toBeNull();
  });

  test('no answer in time and no server at all are BillingUnavailableError too', async () => {
    const nowhere = createHttpBillingGateway({ baseUrl: 'http://127.0.0.1:1/billing', timeoutMs: 2_000 });
    await expect(nowhere.findAccount('инзб12345678')).rejects.toThrow(/billing findAccount: unreachable/);
    const never = createHttpBillingGateway({
      baseUrl: 'http://x/billing',
      timeoutMs: 50,
      fetch: (_url, init) =>
        new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason))),
    });
    await expect(never.services('инзб12345678')).rejects.toThrow('billing services: no answer within 50 ms');
  });
});
