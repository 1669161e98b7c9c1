import { describe, expect, test } from 'vitest';
import type { Button, Reply } from '../../shared/contracts/reply.js';
import { ConfigError, readConfig } from '../../shared/ops/config.js';
import { TelegramApiError } from '../../shared/ports/telegram-api.js';
import { readTelegramConfig } from '../../shared/telegram/config.js';
import { telegramProblems } from '../../shared/telegram/limits.js';
import { readTelegramUpdate } from '../../shared/telegram/read-update.js';
import { renderTelegramCalls } from '../../shared/telegram/render.js';
import { isTelegramSecret } from '../../shared/telegram/secret.js';
import type { TelegramUpdate } from '../../shared/telegram/types.js';
import { TelegramUpdates } from '../../fakes/telegram/updates.js';

const SECRET = 'webhook-secret_1';

/** Reads an update (or any JSON text or value) sent with the right secret. */
const readWithSecret = (body: unknown) =>
  readTelegramUpdate(Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), SECRET, SECRET);

/** The chat event of an update the reader takes. */
function read(update: unknown) {
  const reading = readWithSecret(update);
  if (!reading.ok) throw new Error(`refused: ${reading.detail}`);
  if (reading.event === null) throw new Error(`ignored: ${reading.ignored}`);
  return reading.event;
}

describe('the secret of a Telegram update', () => {
  test('matches only the configured secret, byte for byte', () => {
    expect(isTelegramSecret(SECRET, SECRET)).toBe(true);
    expect(isTelegramSecret(`${SECRET}x`, SECRET)).toBe(false);
    expect(isTelegramSecret(SECRET.toUpperCase(), SECRET)).toBe(false);
  });
  test.each([
    ['missing', undefined],
    ['empty', ''],
    ['sent twice', [SECRET, SECRET]],
    ['another', 'other-secret'],
  ])('an update whose header is %s is refused before it is read', (_label, header) => {
    const update = Buffer.from(JSON.stringify(TelegramUpdates.text(1, 'x')));
    expect(readTelegramUpdate(update, header, SECRET)).toEqual({
      ok: false,
      reason: 'bad-secret',
      detail: 'invalid secret token',
    });
  });
  test('an empty configured secret accepts nothing, not even an empty header', () => {
    expect(readTelegramUpdate(Buffer.from('{"update_id":1}'), '', '')).toMatchObject({ reason: 'bad-secret' });
  });
});

describe('Telegram updates become channel-neutral chat events', () => {
  test('a text message', () => {
    const update = TelegramUpdates.text(42, 'Начать', 'Анна');
    expect(read(update)).toEqual({
      id: `tg:${update.update_id}`,
      channel: 'telegram',
      chatId: 'tg:42',
      at: update.message!.date * 1000,
      kind: 'text',
      text: 'Начать',
      name: 'Анна',
    });
  });
  test.each([
    ['/start', undefined],
    ['/start qr-bill', 'qr-bill'],
    ['/start@EnergoBot', undefined],
    ['/start@EnergoBot   payload ', 'payload'],
  ])('%s opens the chat, and the bot greets first', (text, context) => {
    const event = read(TelegramUpdates.text(42, text));
    expect(event).toEqual(expect.objectContaining({ kind: 'opened', greet: true, chatId: 'tg:42', name: 'Клиент' }));
    expect(event).toHaveProperty('context', context);
  });
  test('a deep link payload, as TelegramUpdates.start sends it', () => {
    expect(read(TelegramUpdates.start(7, 'account-1'))).toMatchObject({ kind: 'opened', context: 'account-1' });
  });
  test.each(['/starting', '/help', 'start', ' /start'])('%s is text, not the start command', (text) => {
    expect(read(TelegramUpdates.text(42, text))).toMatchObject({ kind: 'text', text });
  });
  test('the sender\'s own contact, its phone given a "+"', () => {
    expect(read(TelegramUpdates.contact(42, '79001234567'))).toMatchObject({
      kind: 'contact',
      phone: '+79001234567',
      name: 'Клиент',
      own: true,
    });
    expect(read(TelegramUpdates.contact(42, '+7 900 123-45-67'))).toMatchObject({ phone: '+7 900 123-45-67' });
  });
  test("someone else's card, or one without a Telegram user, is not the sender's own", () => {
    expect(read(TelegramUpdates.contact(42, '79001234567', 43))).toMatchObject({ kind: 'contact', own: false });
    expect(read(TelegramUpdates.contact(42, '79001234567', null))).toMatchObject({ kind: 'contact', own: false });
  });
  test('a location, and a venue (which carries one)', () => {
    expect(read(TelegramUpdates.location(42, 52.28, 104.28))).toMatchObject({
      kind: 'location',
      lat: 52.28,
      lon: 104.28,
    });
    const venue = TelegramUpdates.location(42, 52.28, 104.28);
    Object.assign(venue.message!, { venue: { title: 'Офис', address: 'ул. Ленина, 1' } });
    expect(read(venue)).toMatchObject({ kind: 'location' });
  });
  test.each(['sticker', 'document', 'video', 'voice', 'audio', 'animation', 'video_note', 'poll'])(
    'a message with a %s is media of that type',
    (key) => {
      const update = TelegramUpdates.text(42, 'x');
      delete update.message!.text;
      Object.assign(update.message!, { forward_origin: { type: 'user' }, [key]: { file_id: 'f' }, caption: 'c' });
      expect(read(update)).toMatchObject({ kind: 'media', mediaType: key, chatId: 'tg:42' });
    },
  );
  test('a photo is media', () => {
    expect(read(TelegramUpdates.photo(42))).toMatchObject({ kind: 'media', mediaType: 'photo' });
  });
  test('blocking and unblocking the bot', () => {
    const blocked = TelegramUpdates.blocked(42);
    expect(read(blocked)).toEqual({
      id: `tg:${blocked.update_id}`,
      channel: 'telegram',
      chatId: 'tg:42',
      at: blocked.my_chat_member.date * 1000,
      kind: 'unsubscribed',
    });
    expect(read(TelegramUpdates.unblocked(42))).toMatchObject({ kind: 'subscribed', chatId: 'tg:42', name: 'Клиент' });
  });
  test('update ids go up', () => {
    const first = TelegramUpdates.text(1, 'a').update_id;
    expect(TelegramUpdates.photo(1).update_id).toBe(first + 1);
  });
});

describe('updates the bot only acknowledges', () => {
  test('a message or a membership change in a group or channel', () => {
    const updates: TelegramUpdate[] = [TelegramUpdates.text(-100, 'hi'), TelegramUpdates.blocked(-100)];
    for (const update of updates) {
      const chat = (update.message ?? update.my_chat_member)!.chat;
      Object.assign(chat, { type: 'supergroup' });
      expect(readWithSecret(update)).toEqual({ ok: true, event: null, ignored: 'not-private' });
    }
  });
  test("a group message's other fields are not even checked", () => {
    const update = TelegramUpdates.text(-100, 'hi');
    Object.assign(update.message!, { from: 'not a user', date: 'yesterday' });
    Object.assign(update.message!.chat, { type: 'group' });
    expect(readWithSecret(update)).toMatchObject({ ok: true, ignored: 'not-private' });
  });
  test.each([
    ['an edited message', { update_id: 1, edited_message: TelegramUpdates.text(1, 'x').message }],
    ['a callback query', { update_id: 1, callback_query: { id: '1', data: 'x' } }],
    ['no update at all', { update_id: 1 }],
    ['a membership that is neither blocked nor member', membershipTo('left')],
  ])('%s', (_label, update) => {
    expect(readWithSecret(update)).toEqual({ ok: true, event: null, ignored: 'unsupported' });
  });
});

function membershipTo(status: string) {
  const update = TelegramUpdates.blocked(1);
  Object.assign(update.my_chat_member.new_chat_member, { status });
  return update;
}

describe('malformed updates are refused, naming the field but never its value', () => {
  /** A text update with `path` (dotted, inside the update) set to `value`. */
  function textWith(path: string, value: unknown) {
    const update = TelegramUpdates.text(42, 'Привет') as unknown as Record<string, any>;
    const keys = path.split('.');
    const last = keys.pop()!;
    const parent = keys.reduce((object, key) => object[key], update);
    parent[last] = value;
    return update;
  }
  test.each([
    ['broken JSON', '{"update_id":', 'body is not valid JSON'],
    ['an array', [], 'body is not a JSON object'],
    ['null', 'null', 'body is not a JSON object'],
  ])('%s', (_label, body, detail) => {
    expect(readWithSecret(body)).toEqual({ ok: false, reason: 'malformed', detail });
  });
  test.each([
    ['update_id', '12'],
    ['update_id', -1],
    ['update_id', 1.5],
    ['update_id', 2 ** 53],
    ['message', 'text'],
    ['message.chat', 'chat'],
    ['message.chat.id', '42'],
    ['message.chat.id', 4.2],
    ['message.chat.type', 7],
    ['message.date', '2024-01-01'],
    ['message.date', -5],
    ['message.date', 1e13],
    ['message.from', undefined],
    ['message.from.id', { id: 42 }],
    ['message.from.first_name', 42],
    ['message.text', 42],
    ['message.text', 'x'.repeat(4097)],
    ['message.text', 'broken \ud800 pair'],
  ])('%s = %j', (path, value) => {
    const reading = readWithSecret(textWith(path, value));
    expect(reading).toEqual({ ok: false, reason: 'malformed', detail: `missing or invalid ${path}` });
  });
  test('a 4096-character text of emoji (8192 UTF-16 units) is still a text', () => {
    expect(read(textWith('message.text', '😀'.repeat(4096)))).toMatchObject({ kind: 'text' });
  });
  test.each([
    ['message.contact.phone_number', TelegramUpdates.contact(42, '7900'), 79001234567],
    ['message.contact.user_id', TelegramUpdates.contact(42, '7900'), '42'],
    ['message.location.latitude', TelegramUpdates.location(42, 0, 0), 91],
    ['message.location.longitude', TelegramUpdates.location(42, 0, 0), '104'],
    ['my_chat_member.new_chat_member.status', TelegramUpdates.blocked(42), 1],
    ['my_chat_member.date', TelegramUpdates.blocked(42), null],
  ])('%s', (path, update, value) => {
    const keys = path.split('.');
    const last = keys.pop()!;
    const parent = keys.reduce<any>((object, key) => object[key], update);
    parent[last] = value;
    expect(readWithSecret(update)).toEqual({ ok: false, reason: 'malformed', detail: `missing or invalid ${path}` });
  });
});

describe('replies rendered as Bot API calls', () => {
  const options = { keyboardPrompt: 'Выберите действие' };
  const reply = (value: string, columns?: number): Button => ({
    text: value,
    action: { kind: 'reply', value },
    columns,
  });
  const link = (text: string, url: string, columns?: number): Button => ({
    text,
    action: { kind: 'open-url', url },
    columns,
  });

  test('a text without a keyboard', () => {
    expect(renderTelegramCalls({ kind: 'text', text: 'Привет' }, '42', options)).toEqual([
      { method: 'sendMessage', body: { chat_id: 42, text: 'Привет' } },
    ]);
  });
  test('reply buttons fill rows by their columns; colours and heights are dropped', () => {
    const buttons = [reply('A', 3), reply('B', 3), reply('C', 2), reply('D', 2), reply('E', 4), reply('F')];
    const [call] = renderTelegramCalls(
      {
        kind: 'text',
        text: 'x',
        keyboard: { color: '#112233', buttons: buttons.map((b) => ({ ...b, rows: 2, color: '#ffffff' })) },
      },
      '42',
      options,
    );
    expect(call!.body.reply_markup).toEqual({
      keyboard: [[{ text: 'A' }, { text: 'B' }], [{ text: 'C' }, { text: 'D' }], [{ text: 'E' }], [{ text: 'F' }]],
      resize_keyboard: true,
      is_persistent: true,
    });
  });
  test('share-phone asks for the contact, location-picker for the location', () => {
    const [call] = renderTelegramCalls(
      {
        kind: 'text',
        text: 'x',
        keyboard: {
          buttons: [
            { text: 'Телефон', action: { kind: 'share-phone' }, columns: 3 },
            { text: 'Где я', action: { kind: 'location-picker' }, columns: 3 },
          ],
        },
      },
      '42',
      options,
    );
    expect(call!.body.reply_markup).toMatchObject({
      keyboard: [
        [
          { text: 'Телефон', request_contact: true },
          { text: 'Где я', request_location: true },
        ],
      ],
    });
  });
  test('URL buttons only: an inline keyboard on the message itself', () => {
    const calls = renderTelegramCalls(
      { kind: 'text', text: 'Оплата', keyboard: { buttons: [link('Оплатить', 'https://pay.example/1')] } },
      '42',
      options,
    );
    expect(calls).toEqual([
      {
        method: 'sendMessage',
        body: {
          chat_id: 42,
          text: 'Оплата',
          reply_markup: { inline_keyboard: [[{ text: 'Оплатить', url: 'https://pay.example/1' }]] },
        },
      },
    ]);
  });
  test('URL and reply buttons: the message with its links, then the prompt with the input keyboard', () => {
    const calls = renderTelegramCalls(
      {
        kind: 'text',
        text: 'Ссылка на оплату',
        keyboard: {
          buttons: [
            link('Оплатить', 'https://pay.example/1', 3),
            link('Чек', 'https://pay.example/2', 3),
            reply('Назад'),
          ],
        },
      },
      '-7',
      options,
    );
    expect(calls).toEqual([
      {
        method: 'sendMessage',
        body: {
          chat_id: -7,
          text: 'Ссылка на оплату',
          reply_markup: {
            inline_keyboard: [
              [
                { text: 'Оплатить', url: 'https://pay.example/1' },
                { text: 'Чек', url: 'https://pay.example/2' },
              ],
            ],
          },
        },
      },
      {
        method: 'sendMessage',
        body: {
          chat_id: -7,
          text: 'Выберите действие',
          reply_markup: { keyboard: [[{ text: 'Назад' }]], resize_keyboard: true, is_persistent: true },
        },
      },
    ]);
  });
  test('a URL, a file and a location, each with a keyboard', () => {
    const keyboard = { buttons: [reply('Меню')] };
    const [url] = renderTelegramCalls({ kind: 'url', url: 'https://e.org', keyboard }, '1', options);
    expect(url).toMatchObject({ method: 'sendMessage', body: { chat_id: 1, text: 'https://e.org' } });
    expect(url!.body.reply_markup).toMatchObject({ keyboard: [[{ text: 'Меню' }]] });
    const [file] = renderTelegramCalls(
      { kind: 'file', url: 'https://e.org/a.pdf', fileName: 'a.pdf', size: 10, keyboard },
      '1',
      options,
    );
    expect(file).toMatchObject({ method: 'sendDocument', body: { chat_id: 1, document: 'https://e.org/a.pdf' } });
    expect(file!.body).not.toHaveProperty('caption');
    const [location] = renderTelegramCalls({ kind: 'location', lat: 52.28, lon: 104.28 }, '1', options);
    expect(location).toEqual({ method: 'sendLocation', body: { chat_id: 1, latitude: 52.28, longitude: 104.28 } });
  });
  test.each<[string, Reply, string?]>([
    ['an empty text', { kind: 'text', text: '  ' }],
    ['an empty URL', { kind: 'url', url: '' }],
    ['a location without coordinates', { kind: 'location', lat: NaN, lon: 1 }],
    ['an unknown kind', { kind: 'sticker' } as unknown as Reply],
    ['a button 7 columns wide', { kind: 'text', text: 'x', keyboard: { buttons: [reply('A', 7)] } }],
    [
      'a reply button whose value is not its text',
      { kind: 'text', text: 'x', keyboard: { buttons: [{ text: 'A', action: { kind: 'reply', value: 'a' } }] } },
    ],
    ['a button with an empty text', { kind: 'text', text: 'x', keyboard: { buttons: [reply('')] } }],
    ['a chat id that is no Telegram id', { kind: 'text', text: 'x' }, 'tg:42'],
  ])('throws for %s', (_label, badReply, chatId = '42') => {
    expect(() => renderTelegramCalls(badReply, chatId, options)).toThrow(Error);
  });
  test('throws for an empty prompt when the keyboard needs one', () => {
    const mixed: Reply = { kind: 'text', text: 'x', keyboard: { buttons: [reply('A'), link('L', 'https://e.org')] } };
    expect(() => renderTelegramCalls(mixed, '42', { keyboardPrompt: '' })).toThrow(/prompt/);
  });
  test('every rendered call keeps the Bot API limits', () => {
    const calls = renderTelegramCalls(
      {
        kind: 'text',
        text: 'x',
        keyboard: {
          buttons: [link('L', 'https://e.org'), reply('A', 1), { text: 'Телефон', action: { kind: 'share-phone' } }],
        },
      },
      '42',
      options,
    );
    expect(calls.map(telegramProblems)).toEqual([[], []]);
  });
});

describe('the Bot API limits', () => {
  const message = (body: Record<string, unknown>) =>
    telegramProblems({ method: 'sendMessage', body: { chat_id: 1, text: 'x', ...body } });
  test('a valid call has no problems', () => {
    expect(message({})).toEqual([]);
    expect(
      telegramProblems({ method: 'sendLocation', body: { chat_id: '@channel', latitude: -90, longitude: 180 } }),
    ).toEqual([]);
    expect(
      telegramProblems({ method: 'sendDocument', body: { chat_id: 1, document: 'https://e.org/a.pdf', caption: 'c' } }),
    ).toEqual([]);
  });
  test.each<[string, Record<string, unknown>, RegExp]>([
    ['empty text', { text: ' ' }, /text is empty/],
    ['text of 4097 characters', { text: 'x'.repeat(4097) }, /too long/],
    ['no chat_id', { chat_id: undefined }, /chat_id/],
    ['a caption of 1025 characters', { caption: 'c'.repeat(1025) }, /caption/],
    [
      'two kinds of keyboard',
      { reply_markup: { keyboard: [[{ text: 'A' }]], inline_keyboard: [[{ text: 'L', url: 'https://e.org' }]] } },
      /exactly one/,
    ],
    ['no rows', { reply_markup: { keyboard: [] } }, /non-empty array of rows/],
    ['an empty row', { reply_markup: { keyboard: [[]] } }, /keyboard\[0\] must be a non-empty/],
    [
      '13 buttons in a row',
      { reply_markup: { keyboard: [Array.from({ length: 13 }, () => ({ text: 'A' }))] } },
      /more than 12/,
    ],
    [
      '9 inline buttons in a row',
      { reply_markup: { inline_keyboard: [Array.from({ length: 9 }, () => ({ text: 'L', url: 'https://e.org' }))] } },
      /more than 8/,
    ],
    ['a button with an empty text', { reply_markup: { keyboard: [[{ text: '' }]] } }, /\[0\]\[0\] has an empty text/],
    [
      'a button asking for contact and location',
      { reply_markup: { keyboard: [[{ text: 'A', request_contact: true, request_location: true }]] } },
      /both/,
    ],
    [
      'an inline button without a URL',
      { reply_markup: { inline_keyboard: [[{ text: 'L', callback_data: 'x' }]] } },
      /url/,
    ],
    [
      'an inline button with a javascript: URL',
      { reply_markup: { inline_keyboard: [[{ text: 'L', url: 'javascript:alert(1)' }]] } },
      /url/,
    ],
  ])('%s', (_label, body, problem) => {
    expect(message(body)).toEqual([expect.stringMatching(problem)]);
  });
  test('tg:// URLs open in Telegram', () => {
    expect(message({ reply_markup: { inline_keyboard: [[{ text: 'L', url: 'tg://resolve?domain=x' }]] } })).toEqual([]);
  });
  test.each<[string, Record<string, unknown>]>([
    ['sendLocation', { chat_id: 1, latitude: 91, longitude: -181 }],
    ['sendDocument', { chat_id: 1, document: 'file:///etc/passwd' }],
    ['sendSticker', { chat_id: 1 }],
  ])('%s with bad parameters', (method, body) => {
    expect(telegramProblems({ method, body }).length).toBeGreaterThan(0);
  });
});

describe('Telegram configuration', () => {
  const configOf = (env: Record<string, string>) => {
    const reader = readConfig(env);
    const config = readTelegramConfig(reader);
    reader.done();
    return config;
  };
  test('without a bot token, Telegram is off and nothing else is required', () => {
    expect(configOf({})).toEqual({
      enabled: false,
      botToken: '',
      apiRoot: 'https://api.telegram.org',
      webhookSecret: '',
    });
  });
  test('with a token it needs the webhook secret, and the API root may point at the fake', () => {
    const env = {
      TELEGRAM_BOT_TOKEN: '123:abc-DEF_1',
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_API_ROOT: 'http://127.0.0.1:8091/',
    };
    expect(configOf(env)).toEqual({
      enabled: true,
      botToken: '123:abc-DEF_1',
      apiRoot: 'http://127.0.0.1:8091',
      webhookSecret: SECRET,
    });
    expect(() => configOf({ TELEGRAM_BOT_TOKEN: '123:abc' })).toThrow(/TELEGRAM_WEBHOOK_SECRET is required/);
  });
  test.each([
    [
      'a token that is not a bot token',
      { TELEGRAM_BOT_TOKEN: 'abc/../x', TELEGRAM_WEBHOOK_SECRET: SECRET },
      /TELEGRAM_BOT_TOKEN/,
    ],
    [
      'a secret with characters Telegram does not allow',
      { TELEGRAM_BOT_TOKEN: '1:a', TELEGRAM_WEBHOOK_SECRET: 'a b!' },
      /TELEGRAM_WEBHOOK_SECRET/,
    ],
    [
      'a secret of 257 characters',
      { TELEGRAM_BOT_TOKEN: '1:a', TELEGRAM_WEBHOOK_SECRET: 'a'.repeat(257) },
      /TELEGRAM_WEBHOOK_SECRET/,
    ],
  ])('%s stops the start, without saying the value', (_label, env, problem) => {
    const error = (() => {
      try {
        configOf(env);
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(problem);
    expect((error as Error).message).not.toContain(env.TELEGRAM_WEBHOOK_SECRET);
    expect((error as Error).message).not.toContain('abc/../x');
  });
});

describe('Telegram API errors', () => {
  test.each<[string, number | undefined, number | undefined, Partial<TelegramApiError>]>([
    ['429 with retry_after', 429, 7, { retryable: true, recipientGone: false, retryAfterMs: 7000 }],
    ['429 without retry_after', 429, undefined, { retryable: true, retryAfterMs: undefined }],
    ['403: the user blocked the bot', 403, undefined, { retryable: false, recipientGone: true }],
    ['400: a bad request', 400, undefined, { retryable: false, recipientGone: false }],
    ['401: a wrong token', 401, undefined, { retryable: false }],
    ['404: a wrong token or method', 404, undefined, { retryable: false }],
    ['502', 502, undefined, { retryable: true, recipientGone: false }],
    ['no answer', undefined, undefined, { retryable: true, status: undefined }],
  ])('%s', (_label, code, retryAfter, expected) => {
    const error = new TelegramApiError('x', code, retryAfter);
    expect(error).toMatchObject({ status: code, ...expected });
  });
  test('retry_after only counts on a 429', () => {
    expect(new TelegramApiError('x', 400, 5).retryAfterMs).toBeUndefined();
  });
});
