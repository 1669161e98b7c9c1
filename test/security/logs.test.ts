import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REDACTED } from '../../shared/ops/logger.js';
import { signPaymentNotice } from '../../shared/contracts/payment-notice.js';
import { PAYMENT_SIGNATURE_HEADER } from '../../shared/ports/payments.js';
import { signViberBody } from '../../shared/viber/signature.js';
import { Callbacks, toViberJson } from '../../fakes/viber/callbacks.js';
import { PAYMENT_CALLBACK_PATH, ChatRateLimiter } from '../../services/ingress/index.js';
import { AUTH_TOKEN, capturingLogger, startIngress, type RunningIngress } from './ingress-kit.js';

const PHONE = '79001234567';
const CODE = '4821';
const TOKEN = 'tok-5f0c1e9b';

/** The secrets of an object, at the top and nested 1..6 deep, in objects and arrays. */
function nestedSecrets(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = {
    phone: PHONE,
    phone_number: `+${PHONE}`,
    phoneNumber: PHONE,
    code: CODE,
    token: TOKEN,
    authToken: TOKEN,
    Authorization: `Bearer ${TOKEN}`,
    keep: 'visible',
  };
  for (let level = 0; level < depth; level++)
    value = level % 2 ? { [`level${level}`]: value } : { [`list${level}`]: [value] };
  return value;
}

describe('log redaction', () => {
  test.each([0, 1, 2, 3, 4, 6, 12])('phone numbers, codes and tokens %i levels deep never reach the log', (depth) => {
    const { logger, lines } = capturingLogger('test');
    const logged = nestedSecrets(depth);
    const copy = structuredClone(logged);
    logger.info(logged, 'secrets inside');
    const line = lines.join('');
    for (const secret of [PHONE, CODE, TOKEN]) expect(line).not.toContain(secret);
    // Past ten levels (arrays count twice here) the object is left out rather than shown unchecked.
    if (depth <= 6) expect(line).toContain(REDACTED);
    expect(line).toContain(depth <= 6 ? 'visible' : 'too deep to log');
    // The caller's object is left as it was.
    expect(logged).toEqual(copy);
  });

  test('headers, in Node’s lower case and as clients write them', () => {
    const { logger, lines } = capturingLogger('test');
    logger.warn(
      {
        headers: {
          'x-viber-auth-token': TOKEN,
          'x-viber-content-signature': 'a'.repeat(64),
          [PAYMENT_SIGNATURE_HEADER]: 'b'.repeat(64),
          'content-type': 'application/json',
        },
        req: { headers: { 'X-Viber-Auth-Token': TOKEN, cookie: `session=${TOKEN}` } },
        config: { request: { options: { headers: { 'X-Viber-Auth-Token': TOKEN } } } },
      },
      'headers',
    );
    const line = lines.join('');
    for (const secret of [TOKEN, 'a'.repeat(64), 'b'.repeat(64)]) expect(line).not.toContain(secret);
    expect(line).toContain('application/json');
  });

  test('an error keeps its class, message, stack and symbolic code; its secrets go', () => {
    const { logger, parsed } = capturingLogger('test');
    const error = Object.assign(new Error('connect refused'), {
      code: 'ECONNREFUSED',
      request: { headers: { 'X-Viber-Auth-Token': TOKEN }, body: { phone: PHONE } },
    });
    logger.error({ err: error }, 'failed');
    const [line] = parsed();
    expect(line?.err).toMatchObject({
      type: 'Error',
      message: 'connect refused',
      code: 'ECONNREFUSED',
      request: { headers: { 'X-Viber-Auth-Token': REDACTED }, body: { phone: REDACTED } },
    });
    expect(JSON.stringify(line)).not.toContain(TOKEN);
    expect((line?.err as { stack?: string }).stack).toContain('connect refused');
  });

  test('a child logger’s bindings are redacted too', () => {
    const { logger, lines } = capturingLogger('test');
    logger.child({ phone: PHONE, code: CODE }).info('bound');
    expect(lines.join('')).not.toMatch(new RegExp(`${PHONE}|${CODE}`));
  });

  test('numbers and codes shaped like SMS codes are redacted whatever their type', () => {
    const { logger, lines } = capturingLogger('test');
    logger.info({ code: 4821, nested: { code: '0042' }, smsCode: CODE }, 'codes');
    expect(lines.join('')).not.toMatch(/4821|0042/);
  });
});

describe('the ingress app never logs a body, a signature or the token (real JetStream)', () => {
  let ingress: RunningIngress;
  const TEXT = `Мой телефон +7 900 123-45-67, ${PHONE}; токен ${AUTH_TOKEN}`;

  beforeAll(async () => {
    ingress = await startIngress({ rateLimiter: new ChatRateLimiter({ burst: 2, perSecond: 0.001, maxChats: 10 }) });
  });
  afterAll(async () => {
    await ingress.stop();
  });

  test('through every path: accepted, welcome, refused, rate-limited, bus down, payment notice', async () => {
    const chatId = `viber-user-${PHONE}`;
    const callbacks = [
      Callbacks.text(chatId, TEXT),
      Callbacks.contact(chatId, `+${PHONE}`),
      Callbacks.conversationStarted(chatId, TEXT),
      Callbacks.text(chatId, TEXT),
    ];
    const bodies = callbacks.map(toViberJson);
    for (const body of bodies) expect((await ingress.post(body)).statusCode).toBe(200);
    expect(await ingress.post(bodies[0]!, signViberBody(bodies[0]!, 'wrong'))).toMatchObject({ statusCode: 403 });
    expect(await ingress.post(bodies[0]!.replace('"text":', '"text":1,"x":'))).toMatchObject({ statusCode: 400 });
    expect(await ingress.post(`{"event":"message","text":"${TEXT}"`)).toMatchObject({ statusCode: 400 });
    ingress.outage.busUp = false;
    expect(await ingress.post(toViberJson(Callbacks.conversationStarted(chatId, TEXT)))).toMatchObject({
      statusCode: 503,
    });
    ingress.outage.busUp = true;
    const notice = JSON.stringify({
      orderId: 'o-1',
      status: 'succeeded',
      account: 'инзб12345678',
      amount: 100,
      chatId,
      channel: 'viber',
      noticeId: 'n-1',
    });
    const paid = await ingress.app.inject({
      method: 'POST',
      url: PAYMENT_CALLBACK_PATH,
      headers: {
        'content-type': 'application/json',
        [PAYMENT_SIGNATURE_HEADER]: signPaymentNotice(notice, 'security-test-payment-secret'),
      },
      payload: notice,
    });
    expect(paid.statusCode).toBe(200);

    const messages = ingress.logs.parsed().map((line) => line.msg);
    expect(messages).toEqual(
      expect.arrayContaining([
        'callback accepted',
        'callback refused',
        'rate-limited',
        'could not publish; Viber will resend',
        'payment notice accepted',
      ]),
    );
    const logged = ingress.logs.lines.join('\n');
    for (const secret of [
      PHONE,
      '123-45-67',
      AUTH_TOKEN,
      chatId,
      'Мой телефон',
      ...bodies.map((body) => signViberBody(body, AUTH_TOKEN)),
    ])
      expect(logged).not.toContain(secret);
  });
});
