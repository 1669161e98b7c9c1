import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chatTag } from '../../shared/ops/logger.js';
import { Callbacks, toViberJson } from '../../fakes/viber/callbacks.js';
import { ChatRateLimiter } from '../../services/ingress/index.js';
import { manualClock } from './verification-kit.js';
import { startIngress, type RunningIngress } from './ingress-kit.js';

describe('the token bucket per chat', () => {
  const limiter = (limit: Partial<{ burst: number; perSecond: number; maxChats: number }> = {}) => {
    const clock = manualClock();
    return { clock, limiter: new ChatRateLimiter({ burst: 20, perSecond: 1, maxChats: 1_000, ...limit }, clock.now) };
  };
  const take = (bucket: ChatRateLimiter, chatId: string, times: number) =>
    Array.from({ length: times }, () => bucket.tryTake(chatId)).filter(Boolean).length;

  test('a burst of 20, then one a second; other chats are not affected', () => {
    const { clock, limiter: bucket } = limiter();
    expect(take(bucket, 'a', 25)).toBe(20);
    expect(take(bucket, 'b', 5)).toBe(5);
    clock.advance(1_000);
    expect(take(bucket, 'a', 5)).toBe(1);
    clock.advance(3_500);
    expect(take(bucket, 'a', 5)).toBe(3);
    clock.advance(3_600_000);
    expect(take(bucket, 'a', 25)).toBe(20);
  });

  test('a fractional rate, and a clock stepping back refills nothing', () => {
    const { clock, limiter: bucket } = limiter({ burst: 2, perSecond: 0.5 });
    expect(take(bucket, 'a', 3)).toBe(2);
    clock.advance(1_000);
    expect(take(bucket, 'a', 1)).toBe(0);
    clock.advance(1_000);
    expect(take(bucket, 'a', 1)).toBe(1);
    clock.advance(-60_000);
    expect(take(bucket, 'a', 1)).toBe(0);
  });

  test('a refund gives back a token, never more than the burst', () => {
    const { limiter: bucket } = limiter({ burst: 3 });
    expect(take(bucket, 'a', 3)).toBe(3);
    bucket.refund('a');
    expect(take(bucket, 'a', 3)).toBe(1);
    for (let i = 0; i < 10; i++) bucket.refund('b');
    expect(take(bucket, 'b', 10)).toBe(3);
  });

  test('memory is capped: past maxChats the least recently seen chat is forgotten', () => {
    const { limiter: bucket } = limiter({ burst: 2, maxChats: 100 });
    for (let i = 0; i < 10_000; i++) bucket.tryTake(`flood-${i}`);
    expect(bucket.chats).toBe(100);

    const { limiter: small } = limiter({ burst: 2, maxChats: 2 });
    expect(take(small, 'a', 2)).toBe(2);
    take(small, 'b', 1);
    expect(take(small, 'a', 1)).toBe(0); // a was used last: b is the one to go next
    take(small, 'c', 1);
    expect(take(small, 'a', 1)).toBe(0);
    expect(take(small, 'b', 2)).toBe(2); // b was forgotten: a full bucket again
    expect(small.chats).toBe(2);
  });
});

describe('ingress limits each chat’s events (real JetStream)', () => {
  let ingress: RunningIngress;
  const clock = manualClock();
  const BURST = 3;

  beforeAll(async () => {
    const limiter = new ChatRateLimiter({ burst: BURST, perSecond: 1, maxChats: 1_000 }, clock.now);
    ingress = await startIngress({ rateLimiter: limiter });
  });
  afterAll(async () => {
    await ingress.stop();
  });

  const rateLimitedLines = () => ingress.logs.parsed().filter((line) => line.msg === 'rate-limited');

  test(
    'over the limit: 200 so Viber does not resend, ' + 'nothing on the bus, a log line with the chat’s tag only',
    async () => {
      const before = await ingress.stored();
      const answers = [];
      for (let i = 0; i < BURST + 2; i++)
        answers.push(
          (await ingress.post(toViberJson(Callbacks.text('flooder-79001234567', `сообщение ${i}`)))).statusCode,
        );
      expect(answers).toEqual(Array(BURST + 2).fill(200));
      expect(await ingress.stored()).toBe(before + BURST);

      const lines = rateLimitedLines();
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatchObject({ chat: chatTag('flooder-79001234567'), kind: 'text', level: 40 });
      expect(ingress.logs.lines.join('\n')).not.toContain('flooder-79001234567');

      clock.advance(1_000);
      expect(
        (await ingress.post(toViberJson(Callbacks.text('flooder-79001234567', 'спустя секунду')))).statusCode,
      ).toBe(200);
      expect(await ingress.stored()).toBe(before + BURST + 1);
    },
  );

  test('conversation_started is never limited: its answer is the welcome', async () => {
    for (let i = 0; i < BURST; i++) await ingress.post(toViberJson(Callbacks.text('opener', 'x')));
    const before = await ingress.stored();
    for (let i = 0; i < 3; i++) {
      const answer = await ingress.post(toViberJson(Callbacks.conversationStarted('opener')));
      expect(answer.statusCode).toBe(200);
      expect(answer.json()).toMatchObject({ type: 'text', keyboard: { Type: 'keyboard' } });
    }
    expect(await ingress.stored()).toBe(before + 3);
  });

  test('Viber resending a stored callback costs the chat nothing', async () => {
    const callback = toViberJson(Callbacks.text('resent', 'Начать'));
    for (let i = 0; i < BURST * 3; i++) await ingress.post(callback);
    const before = await ingress.stored();
    for (let i = 0; i < BURST - 1; i++) await ingress.post(toViberJson(Callbacks.text('resent', `новое ${i}`)));
    expect(await ingress.stored()).toBe(before + BURST - 1);
  });

  test('an event the bus could not take (503) costs the chat nothing: Viber’s resend gets through', async () => {
    const before = await ingress.stored();
    const callback = toViberJson(Callbacks.text('patient', 'Начать'));
    ingress.outage.busUp = false;
    try {
      for (let i = 0; i < BURST * 2; i++) expect((await ingress.post(callback)).statusCode).toBe(503);
    } finally {
      ingress.outage.busUp = true;
    }
    expect((await ingress.post(callback)).statusCode).toBe(200);
    for (let i = 0; i < BURST - 1; i++) await ingress.post(toViberJson(Callbacks.text('patient', `потом ${i}`)));
    expect(await ingress.stored()).toBe(before + BURST);
  });
});
