import { randomInt } from 'node:crypto';
import { TELEGRAM_SECRET_HEADER, type TelegramChatMember, type TelegramUpdate } from '../../shared/telegram/types.js';

/**
 * Telegram updates as Telegram sends them from a private chat, for the simulator, the tools, the
 * tests and the benchmark. update_id goes up by one per update from a random start, as Telegram's
 * do: a restarted tool does not reuse the ids of events the bus already holds.
 */

let lastUpdateId = randomInt(100_000_000, 900_000_000);

const user = (id: number, name = 'Клиент') => ({ id, is_bot: false, first_name: name, language_code: 'ru' });
const chat = (id: number, name = 'Клиент') => ({ id, type: 'private' as const, first_name: name });
const now = () => Math.floor(Date.now() / 1000);

function message(userId: number, fields: Record<string, unknown>, name?: string): TelegramUpdate {
  return {
    update_id: ++lastUpdateId,
    message: {
      message_id: randomInt(1, 1_000_000),
      from: user(userId, name),
      chat: chat(userId, name),
      date: now(),
      ...fields,
    },
  };
}

function membership(userId: number, from: TelegramChatMember['status'], to: TelegramChatMember['status']) {
  const bot = { id: 1, is_bot: true, first_name: 'Иркутскэнергосбыт' };
  return {
    update_id: ++lastUpdateId,
    my_chat_member: {
      chat: chat(userId),
      from: user(userId),
      date: now(),
      old_chat_member: { status: from, user: bot },
      new_chat_member: { status: to, user: bot },
    },
  } satisfies TelegramUpdate;
}

export const TelegramUpdates = {
  text: (userId: number, text: string, name?: string) => message(userId, { text }, name),
  /** What a tap on «Start» (or a t.me/<bot>?start=<payload> link) sends. */
  start: (userId: number, payload?: string) =>
    message(userId, {
      text: payload === undefined ? '/start' : `/start ${payload}`,
      entities: [{ type: 'bot_command', offset: 0, length: 6 }],
    }),
  /** A shared contact; `ownerId` null is a card of someone not on Telegram (no user_id). */
  contact: (userId: number, phone: string, ownerId: number | null = userId) =>
    message(userId, {
      contact: { phone_number: phone, first_name: 'Клиент', ...(ownerId === null ? {} : { user_id: ownerId }) },
    }),
  location: (userId: number, latitude: number, longitude: number) =>
    message(userId, { location: { latitude, longitude } }),
  photo: (userId: number) =>
    message(userId, {
      photo: [{ file_id: 'fake-photo', file_unique_id: 'fake-photo', width: 90, height: 90, file_size: 1024 }],
    }),
  /** The user blocked the bot (or deleted the chat). */
  blocked: (userId: number) => membership(userId, 'member', 'kicked'),
  /** The user unblocked the bot (or started it again). */
  unblocked: (userId: number) => membership(userId, 'kicked', 'member'),
};

/** Posts an update to a webhook with the secret header, as Telegram does. */
export async function postUpdate(
  webhookUrl: string,
  update: TelegramUpdate,
  secret: string,
): Promise<{ status: number; body: string }> {
  const response = await fetch(webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [TELEGRAM_SECRET_HEADER]: secret },
    body: JSON.stringify(update),
  });
  return { status: response.status, body: await response.text() };
}
