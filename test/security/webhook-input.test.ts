import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signViberBody } from '../../shared/viber/signature.js';
import { Callbacks, toViberJson } from '../../fakes/viber/callbacks.js';
import { AUTH_TOKEN, startIngress, type RunningIngress } from './ingress-kit.js';

/** A value no answer or log line may ever repeat. */
const MARKER = 'MARKER-7f3a9c';

const message = (fields: Record<string, unknown> = {}, messageFields: Record<string, unknown> = {}) =>
  JSON.stringify({
    event: 'message',
    timestamp: 1_764_000_000_000,
    message_token: 5_048_893_485,
    sender: { id: 'u-1', name: 'Клиент' },
    message: { type: 'text', text: MARKER, ...messageFields },
    ...fields,
  });

describe('the webhook refuses bad input cleanly (real JetStream)', () => {
  let ingress: RunningIngress;
  beforeAll(async () => {
    ingress = await startIngress({ bodyLimit: 16 * 1024 });
  });
  afterAll(async () => {
    await ingress.stop();
  });

  /** Posts, checks the status, and that nothing reached the bus or was echoed back. */
  async function expectNoEvent(status: number, ...args: Parameters<RunningIngress['post']>) {
    const before = { stored: await ingress.stored(), published: ingress.published.length };
    const answer = await ingress.post(...args);
    expect(answer.statusCode).toBe(status);
    expect(answer.body).not.toContain(MARKER);
    expect(ingress.published.length).toBe(before.published);
    expect(await ingress.stored()).toBe(before.stored);
    return answer;
  }

  describe('403 when the signature is not the bot’s', () => {
    const body = message();
    test.each([
      ['missing', null],
      ['empty', ''],
      ['not hex', 'z'.repeat(64)],
      ['too short', signViberBody(body, AUTH_TOKEN).slice(0, 63)],
      ['of another body', signViberBody(message({ timestamp: 1 }), AUTH_TOKEN)],
      ['made with another token', signViberBody(body, 'another-token')],
      ['present twice (even twice right)', [signViberBody(body, AUTH_TOKEN), signViberBody(body, AUTH_TOKEN)]],
    ])('%s', async (_label, signature) => {
      expect((await expectNoEvent(403, body, signature)).json()).toEqual({ error: 'invalid signature' });
    });

    test('an empty body, with or without a content type', async () => {
      await expectNoEvent(403, '', null);
      await expectNoEvent(403, '', null, {});
      await expectNoEvent(403, '', signViberBody('x', AUTH_TOKEN));
    });
  });

  test('an empty body signed with the token is not a callback: 400', async () => {
    await expectNoEvent(400, '', signViberBody('', AUTH_TOKEN));
  });

  test('a body over the limit: 413, before its signature is even read', async () => {
    await expectNoEvent(413, message({}, { text: 'я'.repeat(10_000) }), null);
    await expectNoEvent(413, message({}, { text: 'я'.repeat(10_000) }));
  });

  test.each([
    ['not JSON', `{"event": "message", "x": "${MARKER}"`],
    ['JSON but an array', `["${MARKER}"]`],
    ['JSON but a string', `"${MARKER}"`],
    ['JSON nested seven thousand deep', `${'['.repeat(7_000)}${']'.repeat(7_000)}`],
    ['not UTF-8', Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x7d])],
  ])('a signed body that is %s: 400', async (_label, body) => {
    expect((await expectNoEvent(400, body)).json().error).toMatch(/.+/);
  });

  test('an unreadable content type: 400, never 415', async () => {
    const body = message();
    await expectNoEvent(400, body, signViberBody(body, AUTH_TOKEN), { 'content-type': ';;;' });
  });

  describe('fields of the wrong type: 400 naming the field, never its value', () => {
    test.each([
      ['message.text', message({}, { text: 42 })],
      ['message.text', message({}, { text: { $gt: '' } })],
      ['message.text', message({}, { text: ['a'] })],
      ['message.text', message({}, { text: undefined })],
      ['message.text', message({}, { text: `${MARKER}\ud800` })],
      ['message.type', message({}, { type: 7 })],
      ['message.type', message({}, { type: '' })],
      ['sender.id', message({ sender: { id: { $ne: null } } })],
      ['sender.id', message({ sender: { id: ['u-1'] } })],
      ['sender.id', message({ sender: { id: '' } })],
      ['sender.id', message({ sender: { id: 'u\n1' } })],
      ['sender.id', message({ sender: { id: -1 } })],
      ['sender.name', message({ sender: { id: 'u-1', name: { first: MARKER } } })],
      ['sender', message({ sender: 'u-1' })],
      ['message', message({ message: MARKER })],
      ['timestamp', message({ timestamp: '1764000000000' })],
      ['timestamp', message({ timestamp: 1.5 })],
      ['timestamp', message({ timestamp: -1 })],
      ['timestamp', message({ timestamp: 1e300 })],
      ['message_token', message({ message_token: { $gt: 0 } })],
      ['message_token', message({ message_token: 'abc' })],
      ['message_token', message({ message_token: 1.25 })],
      ['event', message({ event: 5 })],
      ['message.contact.phone_number', message({}, { type: 'contact', contact: { phone_number: 79001234567 } })],
      ['message.contact', message({}, { type: 'contact', contact: MARKER })],
      ['message.location.lat', message({}, { type: 'location', location: { lat: '52.3', lon: 104.3 } })],
      ['message.location.lon', message({}, { type: 'location', location: { lat: 52.3, lon: 500 } })],
      [
        'user.id',
        JSON.stringify({ event: 'conversation_started', timestamp: 1, message_token: 2, user: { id: { a: 1 } } }),
      ],
      [
        'context',
        JSON.stringify({
          event: 'conversation_started',
          timestamp: 1,
          message_token: 2,
          user: { id: 'u' },
          context: { a: MARKER },
        }),
      ],
      [
        'user_id',
        JSON.stringify({ event: 'unsubscribed', timestamp: 1, message_token: 2, user_id: { $exists: true } }),
      ],
      ['desc', JSON.stringify({ event: 'failed', timestamp: 1, message_token: 2, user_id: 'u', desc: [MARKER] })],
    ])('%s', async (field, body) => {
      expect((await expectNoEvent(400, body)).json()).toEqual({ error: expect.stringContaining(field) });
    });
  });

  describe('what is not refused', () => {
    test('an unknown event type: 200, logged, nothing on the bus', async () => {
      const before = ingress.logs.lines.length;
      await expectNoEvent(
        200,
        JSON.stringify({ event: 'client_status', timestamp: 1, message_token: 3, user_id: 'u-1' }),
      );
      await expectNoEvent(200, JSON.stringify({ event: 'constructor', timestamp: 1, message_token: 4 }));
      expect(
        ingress.logs
          .parsed()
          .slice(before)
          .map((line) => line.msg),
      ).toEqual(['callback of an unknown event type ignored', 'callback of an unknown event type ignored']);
    });

    test('fields the bot does not read may be anything; null optional fields are absent ones', async () => {
      const before = ingress.published.length;
      const body = message(
        { sender: { id: 'u-2', name: null, avatar: { any: 'thing' } }, chat_hostname: [1, 2] },
        { text: 'Начать', tracking_data: { x: 1 } },
      );
      expect((await ingress.post(body)).statusCode).toBe(200);
      expect(ingress.published.slice(before)).toMatchObject([{ chatId: 'u-2', kind: 'text', text: 'Начать' }]);
    });

    test('empty text, emoji and a 19-digit token pass unchanged', async () => {
      const before = ingress.published.length;
      const emptyText = Callbacks.text('u-3', '');
      const emoji = Callbacks.text('u-3', '👍🏽 Привет 𝔘𝔫𝔦𝔠𝔬𝔡𝔢');
      for (const callback of [emptyText, emoji])
        expect((await ingress.post(toViberJson(callback))).statusCode).toBe(200);
      expect(ingress.published.slice(before)).toMatchObject([
        { id: emptyText.message_token, text: '' },
        { id: emoji.message_token, text: '👍🏽 Привет 𝔘𝔫𝔦𝔠𝔬𝔡𝔢' },
      ]);
    });
  });

  test('no refusal logged the body, a value from it, or the signature', async () => {
    const logged = ingress.logs.lines.join('\n');
    expect(logged).not.toContain(MARKER);
    expect(logged).not.toContain(signViberBody(message(), AUTH_TOKEN));
    expect(logged).not.toContain(AUTH_TOKEN);
  });
});
