import { describe, expect, test } from 'vitest';
import { signViberBody, SIGNATURE_HEADER } from '../../shared/viber/signature.js';
import { PAYMENT_CALLBACK_PATH, WEBHOOK_PATH } from '../../services/ingress/index.js';
import { signPaymentNotice } from '../../shared/contracts/payment-notice.js';
import { PAYMENT_SIGNATURE_HEADER } from '../../shared/ports/payments.js';
import { Callbacks, toViberJson } from '../../fakes/viber/callbacks.js';
import { ingressOnBus } from '../harness/ingress-on-bus.js';

const TOKEN = 'ingress-test-token';

describe('ingress against a real JetStream', () => {
  const ingress = ingressOnBus({ authToken: TOKEN });
  const { stored, lastEventOf } = ingress;

  const post = (body: string, signature = signViberBody(body, TOKEN)) =>
    ingress.app().inject({
      method: 'POST',
      url: WEBHOOK_PATH,
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature },
      payload: body,
    });

  test('stores an accepted message once however often Viber sends it', async () => {
    const before = await stored();
    const body = toViberJson(Callbacks.text('u1', 'Начать'));
    for (let i = 0; i < 3; i++) expect((await post(body)).statusCode).toBe(200);
    expect(await stored()).toBe(before + 1);
  });

  test('keeps the token exact all the way into the stored event', async () => {
    const callback = Callbacks.text('u-exact', 'x');
    await post(toViberJson(callback));
    expect((await lastEventOf('u-exact'))?.id).toBe(callback.message_token);
    expect(callback.message_token.length).toBeGreaterThanOrEqual(19);
  });

  test('answers Viber’s webhook check, delivered and seen with 200 and puts nothing on the bus', async () => {
    const before = await stored();
    for (const event of ['webhook', 'delivered', 'seen']) {
      const body = JSON.stringify({ event, timestamp: Date.now(), message_token: 1, user_id: 'u1' });
      expect((await post(body)).statusCode).toBe(200);
    }
    expect(await stored()).toBe(before);
  });

  test.each([
    ['not JSON', '{"event": "message", '],
    [
      'no message_token',
      JSON.stringify({ event: 'message', timestamp: 1, sender: { id: 'u' }, message: { type: 'text', text: 'x' } }),
    ],
    ['a message without sender', JSON.stringify({ event: 'message', timestamp: 1, message_token: 2 })],
    ['an array', '[]'],
  ])('refuses a signed body that is %s with 400 and a reason, storing nothing', async (_label, body) => {
    const before = await stored();
    const answer = await post(body);
    expect(answer.statusCode).toBe(400);
    expect(answer.json().error).toMatch(/.+/);
    expect(answer.body).not.toContain('sender":{"id');
    expect(await stored()).toBe(before);
  });

  test('refuses a forged callback with 403 before reading it', async () => {
    expect((await post('not even json', 'ab'.repeat(32))).statusCode).toBe(403);
  });

  test('refuses a body over the limit with 413', async () => {
    const body = toViberJson(Callbacks.text('u1', 'x'.repeat(100 * 1024)));
    expect((await post(body)).statusCode).toBe(413);
  });

  test('answers 503 while the bus cannot store the event, so Viber sends it again', async () => {
    ingress.busDown();
    try {
      expect((await post(toViberJson(Callbacks.text('u1', 'Начать')))).statusCode).toBe(503);
    } finally {
      ingress.busUp();
    }
  });

  describe('the payment provider’s callback', () => {
    const notice = (overrides: Record<string, unknown> = {}) =>
      JSON.stringify({
        orderId: 'o-1',
        status: 'succeeded',
        account: 'инзб12345678',
        amount: 264285,
        chatId: 'u-pay',
        channel: 'viber',
        noticeId: 'o-1:succeeded',
        ...overrides,
      });
    const postNotice = (body: string, signature = signPaymentNotice(body, 'payment-secret')) =>
      ingress.app().inject({
        method: 'POST',
        url: PAYMENT_CALLBACK_PATH,
        headers: { 'content-type': 'application/json', [PAYMENT_SIGNATURE_HEADER]: signature },
        payload: body,
      });

    test('a signed notice becomes one chat event for the chat that paid, however often it comes', async () => {
      const before = await stored();
      const body = notice();
      expect((await postNotice(body)).statusCode).toBe(200);
      expect((await postNotice(body)).statusCode).toBe(200);
      expect(await stored()).toBe(before + 1);
      expect(await lastEventOf('u-pay')).toMatchObject({
        id: 'payment:o-1:succeeded',
        chatId: 'u-pay',
        kind: 'payment',
        status: 'succeeded',
        amount: 264285,
      });
    });

    test('a forged notice gets 403 and a malformed one 400; neither reaches the bus', async () => {
      const before = await stored();
      expect((await postNotice(notice({ amount: 1 }), signPaymentNotice(notice(), 'payment-secret'))).statusCode).toBe(
        403,
      );
      expect((await postNotice(notice(), signPaymentNotice(notice(), 'another-secret'))).statusCode).toBe(403);
      expect((await postNotice(notice({ amount: -5 }))).statusCode).toBe(400);
      expect((await postNotice(notice({ chatId: { $gt: '' } }))).statusCode).toBe(400);
      expect(await stored()).toBe(before);
    });
  });
});
