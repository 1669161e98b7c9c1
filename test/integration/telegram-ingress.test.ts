import { describe, expect, test } from 'vitest';
import { TELEGRAM_WEBHOOK_PATH } from '../../services/ingress/index.js';
import { TelegramUpdates } from '../../fakes/telegram/updates.js';
import { TELEGRAM_SECRET_HEADER, type TelegramUpdate } from '../../shared/telegram/types.js';
import { ingressOnBus } from '../harness/ingress-on-bus.js';

const SECRET = 'telegram-ingress-secret';

describe('the Telegram webhook against a real JetStream', () => {
  const ingress = ingressOnBus({ telegramSecret: SECRET });
  const { stored, lastEventOf } = ingress;
  const post = (body: string, headers: Record<string, string | string[]> = { [TELEGRAM_SECRET_HEADER]: SECRET }) =>
    ingress.app().inject({
      method: 'POST',
      url: TELEGRAM_WEBHOOK_PATH,
      headers: { 'content-type': 'application/json', ...headers },
      payload: body,
    });

  test('an update is stored once however often Telegram sends it (its update_id is the event’s id)', async () => {
    const before = await stored();
    const update = TelegramUpdates.text(5001, 'Начать');
    for (let i = 0; i < 3; i++) expect((await post(JSON.stringify(update))).statusCode).toBe(200);
    expect(await stored()).toBe(before + 1);
    expect(await lastEventOf('tg:5001')).toMatchObject({
      id: `tg:${update.update_id}`,
      channel: 'telegram',
      chatId: 'tg:5001',
      kind: 'text',
      text: 'Начать',
    });
  });

  test('/start with a deep-link payload opens the chat and asks the dialogue to greet', async () => {
    await post(JSON.stringify(TelegramUpdates.start(5002, 'qr-office-7')));
    expect(await lastEventOf('tg:5002')).toMatchObject({ kind: 'opened', greet: true, context: 'qr-office-7' });
  });

  test('a contact says whether it is the sender’s own', async () => {
    await post(JSON.stringify(TelegramUpdates.contact(5003, '79001234567')));
    expect(await lastEventOf('tg:5003')).toMatchObject({ kind: 'contact', phone: '+79001234567', own: true });
    await post(JSON.stringify(TelegramUpdates.contact(5003, '+79001234567', 5004)));
    expect(await lastEventOf('tg:5003')).toMatchObject({ kind: 'contact', own: false });
  });

  test.each<[string, Record<string, string | string[]>]>([
    ['no secret', {}],
    ['a wrong secret', { [TELEGRAM_SECRET_HEADER]: `${SECRET}x` }],
    ['a secret sent twice', { [TELEGRAM_SECRET_HEADER]: [SECRET, SECRET] }],
  ])('%s is refused with 403 and stores nothing', async (_name, headers) => {
    const before = await stored();
    const answer = await post(JSON.stringify(TelegramUpdates.text(5005, 'x')), headers);
    expect(answer.statusCode).toBe(403);
    expect(await stored()).toBe(before);
  });

  test.each<[string, string]>([
    ['not JSON', '{"update_id": 1, '],
    ['no update_id', JSON.stringify({ message: TelegramUpdates.text(5006, 'x').message })],
    ['a chat id that is not a number', JSON.stringify(withChatId(TelegramUpdates.text(5006, 'x'), '5006'))],
  ])('%s is refused with 400, naming no value', async (_name, body) => {
    const answer = await post(body);
    expect(answer.statusCode).toBe(400);
    expect(answer.body).not.toContain('5006');
  });

  test('a group’s message and an edited message are acknowledged and not stored', async () => {
    const before = await stored();
    const group = TelegramUpdates.text(5007, 'x');
    group.message!.chat = { id: -100500, type: 'group', title: 'Соседи' } as never;
    expect((await post(JSON.stringify(group))).statusCode).toBe(200);
    const edited = TelegramUpdates.text(5007, 'x');
    expect(
      (await post(JSON.stringify({ update_id: edited.update_id, edited_message: edited.message }))).statusCode,
    ).toBe(200);
    expect(await stored()).toBe(before);
  });

  test('while the bus cannot store, Telegram gets 503 and sends the update again', async () => {
    ingress.busDown();
    try {
      expect((await post(JSON.stringify(TelegramUpdates.text(5008, 'x')))).statusCode).toBe(503);
    } finally {
      ingress.busUp();
    }
  });
});

function withChatId(update: TelegramUpdate, id: unknown): TelegramUpdate {
  return { ...update, message: { ...update.message!, chat: { ...update.message!.chat, id: id as number } } };
}
