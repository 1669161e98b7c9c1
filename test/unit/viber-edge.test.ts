import { describe, expect, test } from 'vitest';
import { parseExactJson } from '../../shared/viber/exact-json.js';
import { isValidViberSignature, signViberBody } from '../../shared/viber/signature.js';
import { readViberCallback } from '../../shared/viber/read-callback.js';
import { renderViberMessage } from '../../shared/viber/render.js';
import { Callbacks, toViberJson } from '../../fakes/viber/callbacks.js';

describe('the signature of a Viber callback', () => {
  const body = Buffer.from('{"event":"message"}');
  test('is the hex HMAC-SHA256 of the raw body keyed with the bot token', () => {
    // Vector computed independently (Python's hmac module).
    expect(signViberBody(body, 'token')).toBe('23e981e317e05f9331e9d516fed5d6c08bea859fd87400424493696cc66fd29b');
    expect(isValidViberSignature(body, signViberBody(body, 'token'), 'token')).toBe(true);
  });
  test.each([
    ['another key', signViberBody(body, 'other')],
    ['missing', undefined],
    ['not hex', 'z'.repeat(64)],
    ['too short', 'ab'],
    ['upper-case of another key', signViberBody(body, 'other').toUpperCase()],
  ])('is refused when %s', (_label, signature) => {
    expect(isValidViberSignature(body, signature, 'token')).toBe(false);
  });
  test('changes when one byte of the body changes', () => {
    expect(isValidViberSignature(Buffer.from('{"event":"messagf"}'), signViberBody(body, 'token'), 'token')).toBe(
      false,
    );
  });
});

describe('exact JSON', () => {
  test('keeps tokens beyond 2^53 exact, as strings', () => {
    const parsed = parseExactJson('{"message_token":5048893485934835345,"timestamp":1700000000000}') as Record<
      string,
      unknown
    >;
    expect(parsed.message_token).toBe('5048893485934835345');
    expect(parsed.timestamp).toBe(1700000000000);
    expect(JSON.parse('{"t":5048893485934835345}').t).not.toBe(5048893485934835345n.toString());
  });
  test('treats __proto__ keys as data, never as a prototype', () => {
    const parsed = parseExactJson('{"__proto__":{"polluted":true},"a":1}') as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(parsed.a).toBe(1);
  });
});

describe('Viber callbacks become channel-neutral chat events', () => {
  /** Signs the body (JSON text, or a value to write as JSON) with the bot's token, as Viber does, and reads it. */
  const readSigned = (body: unknown) => {
    const json = typeof body === 'string' ? body : JSON.stringify(body);
    return readViberCallback(Buffer.from(json), signViberBody(json, 'token'), 'token');
  };
  /** The chat event of a callback the reader takes. */
  const read = (callback: ReturnType<typeof Callbacks.text>) => {
    const reading = readSigned(toViberJson(callback));
    if (!reading.ok) throw new Error(`refused: ${reading.detail}`);
    return reading.event;
  };

  test('a text message', () => {
    const callback = Callbacks.text('user-1', 'Начать');
    expect(read(callback)).toEqual({
      id: callback.message_token,
      channel: 'viber',
      at: callback.timestamp,
      chatId: 'user-1',
      kind: 'text',
      text: 'Начать',
      name: 'Клиент',
    });
  });
  test('conversation_started, subscribed, unsubscribed', () => {
    expect(read(Callbacks.conversationStarted('u', 'qr'))).toMatchObject({
      kind: 'opened',
      chatId: 'u',
      context: 'qr',
    });
    expect(read(Callbacks.subscribed('u'))).toMatchObject({ kind: 'subscribed', chatId: 'u' });
    expect(read(Callbacks.unsubscribed('u'))).toMatchObject({ kind: 'unsubscribed', chatId: 'u' });
  });
  test('a shared contact carries the phone; a sticker is media', () => {
    expect(read(Callbacks.contact('u', '+79001234567'))).toMatchObject({ kind: 'contact', phone: '+79001234567' });
    expect(read(Callbacks.sticker('u'))).toMatchObject({ kind: 'media', mediaType: 'sticker' });
  });
  test('an event type Viber may add later is not an error', () => {
    expect(readSigned({ event: 'client_status', timestamp: 1, message_token: '1' })).toEqual({
      ok: true,
      event: null,
      ignored: 'unknown-event',
    });
  });
  test('a receipt is acknowledged only; conversation_started asks for the welcome', () => {
    expect(readSigned({ event: 'delivered', timestamp: 1, message_token: '1', user_id: 'u' })).toEqual({
      ok: true,
      event: null,
      ignored: 'receipt',
    });
    expect(readSigned(toViberJson(Callbacks.conversationStarted('u', 'qr')))).toMatchObject({
      ok: true,
      welcome: true,
    });
    expect(readSigned(toViberJson(Callbacks.subscribed('u')))).toMatchObject({ ok: true, welcome: false });
  });
  test('a body not signed with the bot token is refused before it is read', () => {
    const json = toViberJson(Callbacks.text('u', 'x'));
    expect(readViberCallback(Buffer.from(json), signViberBody(json, 'other'), 'token')).toEqual({
      ok: false,
      reason: 'bad-signature',
      detail: 'invalid signature',
    });
    expect(readViberCallback(Buffer.from(json), undefined, 'token')).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
  });
  test.each([
    ['broken JSON', '{"event":'],
    ['not an object', []],
    ['no event', { timestamp: 1, message_token: '1' }],
    ['no token', { event: 'message', timestamp: 1 }],
    ['no timestamp', { event: 'message', message_token: '1' }],
  ])('a body with %s is malformed', (_label, body) => {
    expect(readSigned(body)).toMatchObject({ ok: false, reason: 'malformed' });
  });
  test('a message without its sender is malformed', () => {
    expect(
      readSigned({ event: 'message', timestamp: 1, message_token: '1', message: { type: 'text', text: 'x' } }),
    ).toEqual({ ok: false, reason: 'malformed', detail: expect.stringMatching(/sender/) });
  });
});

describe('replies rendered as Viber messages', () => {
  const sender = { name: 'Бот' };
  test('a text with a keyboard in the chat colour', () => {
    const message = renderViberMessage(
      {
        kind: 'text',
        text: 'Привет',
        keyboard: { color: '#112233', buttons: [{ text: 'A', action: { kind: 'reply', value: 'a' }, columns: 3 }] },
      },
      sender,
      'user-1',
    );
    expect(message).toEqual({
      receiver: 'user-1',
      sender,
      type: 'text',
      text: 'Привет',
      keyboard: {
        Type: 'keyboard',
        DefaultHeight: false,
        Buttons: [
          {
            Columns: 3,
            Rows: 1,
            BgColor: '#112233',
            Text: 'A',
            TextSize: 'regular',
            ActionType: 'reply',
            ActionBody: 'a',
          },
        ],
      },
    });
  });
  test('a share-phone button raises min_api_version to 3', () => {
    const message = renderViberMessage(
      { kind: 'text', text: 'x', keyboard: { buttons: [{ text: 'Телефон', action: { kind: 'share-phone' } }] } },
      sender,
      'u',
    );
    expect(message.min_api_version).toBe(3);
    expect(message.keyboard?.Buttons[0]).toMatchObject({ ActionType: 'share-phone' });
  });
  test('URL buttons, files and locations', () => {
    expect(
      renderViberMessage(
        {
          kind: 'text',
          text: 'x',
          keyboard: { buttons: [{ text: 'Сайт', action: { kind: 'open-url', url: 'https://example.org' } }] },
        },
        sender,
      ).keyboard?.Buttons[0],
    ).toMatchObject({
      ActionType: 'open-url',
      ActionBody: 'https://example.org',
    });
    expect(
      renderViberMessage({ kind: 'file', url: 'https://e.org/a.pdf', fileName: 'a.pdf', size: 10 }, sender, 'u'),
    ).toMatchObject({ type: 'file', media: 'https://e.org/a.pdf', file_name: 'a.pdf', size: 10 });
    expect(renderViberMessage({ kind: 'location', lat: 52.28, lon: 104.28 }, sender, 'u')).toMatchObject({
      type: 'location',
      location: { lat: 52.28, lon: 104.28 },
    });
  });
  test('the welcome has no receiver: it is the HTTP answer to conversation_started', () => {
    expect(renderViberMessage({ kind: 'text', text: 'x' }, sender)).not.toHaveProperty('receiver');
  });
});
