import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { buildFakeTelegram, type SentCall } from '../../fakes/telegram/app.js';
import { createTelegramBotApi } from '../../shared/adapters/telegram-bot-api.js';
import { createLogger } from '../../shared/ops/logger.js';
import { DeliveryTimeoutError } from '../../shared/ports/channel-delivery.js';
import { TelegramApiError, type TelegramApi } from '../../shared/ports/telegram-api.js';
import { freePort } from '../../tools/dev/local-servers.js';
import { renderTelegramCalls } from '../../shared/telegram/render.js';

/** The real adapter against the fake Bot API on a free port: what Telegram says, and how each answer is classed. */

const TOKEN = '123456:fake-telegram-token';
let fake: FastifyInstance;
let root: string;
let api: TelegramApi;

const post = (path: string, body: unknown) =>
  fetch(`${root}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const sent = async (query = ''): Promise<SentCall[]> => (await fetch(`${root}/_fake/messages${query}`)).json() as never;

/** What the call was rejected with. */
async function failureOf(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error) {
    return error;
  }
  throw new Error('the call succeeded');
}

beforeAll(async () => {
  fake = buildFakeTelegram({ botToken: TOKEN, logger: createLogger('fake-telegram', 'silent') });
  root = await fake.listen({ host: '127.0.0.1', port: 0 });
  api = createTelegramBotApi({ apiRoot: root, botToken: TOKEN, timeoutMs: 2_000 });
});
afterAll(() => fake.close());
beforeEach(async () => {
  await fetch(`${root}/_fake/messages`, { method: 'DELETE' });
  await fetch(`${root}/_fake/outage`, { method: 'DELETE' });
  await post('/_fake/blocked', { chatId: '42', blocked: false });
});

describe('the Telegram adapter against the fake Bot API', () => {
  test('a send is recorded and answered with a message, its id counting up per chat', async () => {
    const first = await api.call('sendMessage', { chat_id: 42, text: 'Привет' }, 2_000);
    const second = await api.call('sendMessage', { chat_id: 42, text: 'Ещё' }, 2_000);
    expect(first).toMatchObject({ chat: { id: 42, type: 'private' }, text: 'Привет', from: { is_bot: true } });
    expect((second as { message_id: number }).message_id).toBe((first as { message_id: number }).message_id + 1);
    expect(await sent('?chat=42')).toEqual([
      expect.objectContaining({ chatId: '42', method: 'sendMessage', body: { chat_id: 42, text: 'Привет' } }),
      expect.objectContaining({ chatId: '42', method: 'sendMessage', body: { chat_id: 42, text: 'Ещё' } }),
    ]);
    expect(await sent('?chat=43')).toEqual([]);
  });

  test('every call of a rendered reply is taken, in order', async () => {
    const calls = renderTelegramCalls(
      {
        kind: 'file',
        url: 'https://e.org/bill.pdf',
        fileName: 'bill.pdf',
        size: 1,
        keyboard: {
          buttons: [
            { text: 'Оплатить', action: { kind: 'open-url', url: 'https://pay.example/1' } },
            { text: 'Телефон', action: { kind: 'share-phone' } },
          ],
        },
      },
      '42',
      { keyboardPrompt: 'Выберите действие' },
    );
    for (const { method, body } of calls) await api.call(method, body, 2_000);
    expect((await sent()).map((call) => call.method)).toEqual(['sendDocument', 'sendMessage']);
  });

  test('a call Telegram would refuse is a 400: not retried, not recorded', async () => {
    const error = await failureOf(api.call('sendMessage', { chat_id: 42, text: '' }, 2_000));
    expect(error).toBeInstanceOf(TelegramApiError);
    expect(error).toMatchObject({ status: 400, retryable: false, recipientGone: false });
    expect((error as Error).message).toMatch(/Bad Request: message text is empty/);
    expect(await sent()).toEqual([]);
  });

  test("429 is retried after Telegram's retry_after", async () => {
    await post('/_fake/faults', [{ errorCode: 429, retryAfter: 3 }]);
    const error = await failureOf(api.call('sendMessage', { chat_id: 42, text: 'x' }, 2_000));
    expect(error).toMatchObject({ status: 429, retryable: true, retryAfterMs: 3_000 });
    // The fault was used up: the next call goes through.
    await api.call('sendMessage', { chat_id: 42, text: 'x' }, 2_000);
  });

  test('a chat whose user blocked the bot answers 403: the recipient is gone', async () => {
    await post('/_fake/blocked', { chatId: '42', blocked: true });
    const error = await failureOf(api.call('sendMessage', { chat_id: 42, text: 'x' }, 2_000));
    expect(error).toMatchObject({ status: 403, retryable: false, recipientGone: true });
    expect((error as Error).message).toMatch(/bot was blocked by the user/);
    await post('/_fake/faults', [{ errorCode: 403 }]);
    expect(await failureOf(api.call('sendMessage', { chat_id: 7, text: 'x' }, 2_000))).toMatchObject({
      recipientGone: true,
    });
  });

  test('a proxy error page or an outage is retried, with no Telegram code', async () => {
    await post('/_fake/faults', [{ httpStatus: 502 }, { delayMs: 10 }]);
    for (const _gateway of ['502', '504 after a delay'])
      expect(await failureOf(api.call('sendMessage', { chat_id: 42, text: 'x' }, 2_000))).toMatchObject({
        status: undefined,
        retryable: true,
      });
    expect(await sent()).toEqual([]);
    await post('/_fake/outage', { fault: { errorCode: 500 } });
    expect(await failureOf(api.call('sendMessage', { chat_id: 42, text: 'x' }, 2_000))).toMatchObject({
      status: 500,
      retryable: true,
    });
    const outage = (await (await fetch(`${root}/_fake/outage`)).json()) as { calls: { faulted: number } };
    expect(outage.calls.faulted).toBeGreaterThanOrEqual(2);
  });

  test('no answer in time is a DeliveryTimeoutError, though the fake delivers it later', async () => {
    await post('/_fake/faults', [{ slowMs: 400 }]);
    const error = await failureOf(api.call('sendMessage', { chat_id: 42, text: 'late' }, 100));
    expect(error).toBeInstanceOf(DeliveryTimeoutError);
    expect(error).toMatchObject({ retryable: true, status: undefined });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await sent()).toEqual([expect.objectContaining({ body: { chat_id: 42, text: 'late' } })]);
  });

  test('a wrong token is a 401, never retried, and the token is in no message', async () => {
    const wrong = createTelegramBotApi({ apiRoot: root, botToken: '123456:wrong-token', timeoutMs: 2_000 });
    const error = await failureOf(wrong.call('sendMessage', { chat_id: 42, text: 'x' }, 2_000));
    expect(error).toMatchObject({ status: 401, retryable: false });
    expect((error as Error).message).not.toContain('wrong-token');
  });

  test('an unreachable server is retried, and the token is in no message', async () => {
    const nowhere = createTelegramBotApi({
      apiRoot: `http://127.0.0.1:${await freePort()}`,
      botToken: TOKEN,
      timeoutMs: 2_000,
    });
    const error = await failureOf(nowhere.call('sendMessage', { chat_id: 42, text: 'x' }, 2_000));
    expect(error).toMatchObject({ status: undefined, retryable: true });
    expect((error as Error).message).toMatch(/unreachable \(ECONNREFUSED\)/);
    expect((error as Error).message).not.toContain(TOKEN);
  });

  test('setWebhook keeps the URL, the secret and the updates asked for; getMe names the bot', async () => {
    await api.setWebhook('http://127.0.0.1:9/telegram/webhook', 'secret_1-A');
    expect(await (await fetch(`${root}/_fake/webhook`)).json()).toEqual({
      url: 'http://127.0.0.1:9/telegram/webhook',
      secretToken: 'secret_1-A',
      allowedUpdates: ['message', 'my_chat_member'],
    });
    expect(await api.getMe()).toMatchObject({ id: 123456, is_bot: true });
    const info = await api.call('getWebhookInfo', {}, 2_000);
    expect(info).toMatchObject({
      url: 'http://127.0.0.1:9/telegram/webhook',
      allowed_updates: ['message', 'my_chat_member'],
    });
    expect(info).not.toHaveProperty('secret_token');
  });

  test('setWebhook refuses a secret with characters Telegram does not allow, and takes a form', async () => {
    expect(await failureOf(api.setWebhook('http://127.0.0.1:9/hook', 'bad secret!'))).toMatchObject({
      status: 400,
      retryable: false,
    });
    const form = new URLSearchParams({
      url: 'http://127.0.0.1:9/form',
      secret_token: 's',
      allowed_updates: '["message"]',
    });
    const answer = await fetch(`${root}/bot${TOKEN}/setWebhook`, { method: 'POST', body: form });
    expect(await answer.json()).toMatchObject({ ok: true, result: true });
    expect(await (await fetch(`${root}/_fake/webhook`)).json()).toEqual({
      url: 'http://127.0.0.1:9/form',
      secretToken: 's',
      allowedUpdates: ['message'],
    });
    await api.call('deleteWebhook', {}, 2_000);
    expect(await (await fetch(`${root}/_fake/webhook`)).json()).toMatchObject({ url: '' });
  });

  test('an unknown method is a 404, as Telegram answers it', async () => {
    expect(await failureOf(api.call('sendPoll', { chat_id: 42 }, 2_000))).toMatchObject({
      status: 404,
      retryable: false,
    });
  });
});
