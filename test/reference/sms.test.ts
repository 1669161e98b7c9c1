import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHttpSmsGateway } from '../../shared/adapters/sms-http.js';
import { SmsUnavailableError, type SmsGateway } from '../../shared/ports/sms.js';
import type { OutboxEntry } from '../../fakes/reference/sms-outbox.js';
import { setFaults, startReference, type RunningReference } from './reference-app.js';

describe('reference SMS gateway through the HTTP SMS adapter', () => {
  let reference: RunningReference;
  let sms: SmsGateway;
  const outbox = async (query = ''): Promise<OutboxEntry[]> =>
    (await fetch(`${reference.url}/sms/outbox${query}`)).json() as Promise<OutboxEntry[]>;

  const logLines: string[] = [];

  beforeAll(async () => {
    const logs = new Writable({ write: (chunk, _encoding, done) => done(void logLines.push(String(chunk))) });
    reference = await startReference({ logger: pino({ level: 'debug' }, logs) });
    sms = createHttpSmsGateway({ baseUrl: `${reference.url}/sms`, timeoutMs: 5_000 });
  });
  afterAll(async () => {
    await reference?.stop();
  });

  test('the same idempotency key sends once; the outbox shows each message, oldest first', async () => {
    const key = randomUUID();
    await sms.send({ phone: '79001234567', text: 'Код подтверждения: 4821', idempotencyKey: key });
    await sms.send({ phone: '79001234567', text: 'Код подтверждения: 4821', idempotencyKey: key });
    await sms.send({ phone: '79007654321', text: 'Код подтверждения: 1234', idempotencyKey: randomUUID() });

    const all = await outbox();
    expect(all.map(({ phone, text }) => ({ phone, text }))).toEqual([
      { phone: '79001234567', text: 'Код подтверждения: 4821' },
      { phone: '79007654321', text: 'Код подтверждения: 1234' },
    ]);
    expect(all[1]!.seq).toBeGreaterThan(all[0]!.seq);
    expect(Date.parse(all[0]!.at)).not.toBeNaN();
    expect(await outbox(`?after=${all[0]!.seq}`)).toEqual([all[1]]);
    expect(await outbox('?phone=79007654321')).toEqual([all[1]]);
  });

  test('sent at once with one key, a message is stored once', async () => {
    const message = { phone: '79001112233', text: 'Код: 7777', idempotencyKey: randomUUID() };
    await Promise.all(Array.from({ length: 20 }, () => sms.send(message)));
    expect(await outbox('?phone=79001112233')).toHaveLength(1);
  });

  test('messages sent at once with different keys are all stored, each with its own seq', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        sms.send({ phone: '79004445566', text: `Код: ${index}`, idempotencyKey: randomUUID() }),
      ),
    );
    const stored = await outbox('?phone=79004445566');
    expect(stored).toHaveLength(20);
    expect(new Set(stored.map((entry) => entry.seq)).size).toBe(20);
  });

  test('logs carry the sequence number, never the phone or the text', async () => {
    await sms.send({ phone: '79005550011', text: 'Ваш код для бота: 9090', idempotencyKey: randomUUID() });
    const [entry] = await outbox('?phone=79005550011');
    const stored = logLines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === 'sms stored');
    expect(stored.map((line) => line.seq)).toContain(entry!.seq);
    const logged = logLines.join('\n');
    expect(logged).not.toContain('79005550011');
    expect(logged).not.toContain('Ваш код');
  });

  test('the send API answers 202 with an id, the same id for the same key', async () => {
    const post = (body: object) =>
      fetch(`${reference.url}/sms/send`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const message = { phone: '79990000000', text: 'Код: 0000', idempotencyKey: randomUUID() };
    const first = await post(message);
    expect(first.status).toBe(202);
    const { id } = (await first.json()) as { id: string };
    expect(await (await post(message)).json()).toEqual({ id });
    expect((await post({ ...message, phone: { $gt: '' } })).status).toBe(400);
  });

  test('a refused message and an SMS outage are SmsUnavailableError', async () => {
    await expect(sms.send({ phone: 'not a phone', text: 'x', idempotencyKey: randomUUID() })).rejects.toThrow(
      'sms send: answered 400',
    );
    await setFaults(reference.url, { sms: 'down' });
    try {
      await expect(sms.send({ phone: '79001234567', text: 'Код: 1', idempotencyKey: randomUUID() })).rejects.toThrow(
        SmsUnavailableError,
      );
    } finally {
      await setFaults(reference.url, { sms: 'up' });
    }
    await sms.send({ phone: '79001234567', text: 'Код: 2', idempotencyKey: randomUUID() });
  });

  test('the fault switch refuses what it does not know', async () => {
    for (const body of ['{"sms":"sideways"}', '{"mail":"down"}', '[]', '{"constructor":"down"}']) {
      const response = await fetch(`${reference.url}/_reference/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(response.status, body).toBe(400);
    }
    expect(await (await fetch(`${reference.url}/_reference/faults`)).json()).toEqual({
      billing: 'up',
      sms: 'up',
      payments: 'up',
    });
  });
});
