import { randomInt } from 'node:crypto';
import { signViberBody, SIGNATURE_HEADER } from '../../shared/viber/signature.js';

/**
 * Viber callbacks as Viber sends them, for the simulator, the send-event command, the tests and
 * the benchmark. Tokens are 19-digit integers, beyond 2^53 like Viber's, and go on the wire as bare
 * numbers so that whoever parses them must keep them exact.
 */

export function newMessageToken(): string {
  return `${randomInt(5_000_000, 9_000_000)}${String(randomInt(0, 1e12)).padStart(12, '0')}`;
}

const user = (id: string, name = 'Клиент') => ({
  id,
  name,
  avatar: '',
  country: 'RU',
  language: 'ru',
  api_version: 10,
});

type Callback = Record<string, unknown> & { message_token: string };

const base = (event: string, token = newMessageToken()) => ({
  event,
  timestamp: Date.now(),
  chat_hostname: 'SN-FAKE_',
  message_token: token,
});

export const Callbacks = {
  conversationStarted: (userId: string, context = ''): Callback => ({
    ...base('conversation_started'),
    type: 'open',
    context,
    user: user(userId),
    subscribed: false,
  }),
  subscribed: (userId: string): Callback => ({ ...base('subscribed'), user: user(userId) }),
  unsubscribed: (userId: string): Callback => ({ ...base('unsubscribed'), user_id: userId }),
  text: (userId: string, text: string): Callback => ({
    ...base('message'),
    sender: user(userId),
    message: { type: 'text', text },
  }),
  contact: (userId: string, phoneNumber: string): Callback => ({
    ...base('message'),
    sender: user(userId),
    message: { type: 'contact', contact: { name: 'Клиент', phone_number: phoneNumber } },
  }),
  sticker: (userId: string): Callback => ({
    ...base('message'),
    sender: user(userId),
    message: { type: 'sticker', sticker_id: 40100 },
  }),
  webhookCheck: (): Callback => base('webhook'),
};

/** JSON with message_token as a bare integer, as Viber writes it. */
export function toViberJson(callback: Callback): string {
  const { message_token, ...rest } = callback;
  return JSON.stringify(rest).replace(/^\{/, `{"message_token":${message_token},`);
}

export interface PostResult {
  status: number;
  body: string;
}

/** Posts a callback to a webhook signed with the bot's token, as Viber does. */
export async function postCallback(webhookUrl: string, callback: Callback, authToken: string): Promise<PostResult> {
  const body = toViberJson(callback);
  const response = await fetch(webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signViberBody(body, authToken) },
    body,
  });
  return { status: response.status, body: await response.text() };
}
