import type { SentCall } from '../../fakes/telegram/app.js';
import { postUpdate, TelegramUpdates } from '../../fakes/telegram/updates.js';
import { telegramIdOf } from '../../shared/contracts/channel.js';
import type { TelegramUpdate } from '../../shared/telegram/types.js';
import { accepted, sentTo, type ChatLink, type SimulatedCustomer } from './chat-link.js';

/**
 * The simulator's Telegram: it posts the customer's updates to ingress with setWebhook's secret in
 * their header, as Telegram does, and reads what outbound sent to the fake Bot API. A Telegram
 * chat's id is `tg:<user id>`; in a private chat the user's id is the chat's.
 */

export interface TelegramLinkOptions {
  webhookUrl: string;
  fakeTelegramUrl: string;
  secret: string;
}

/** The Telegram user id in a chat id the simulator's routes have already checked. */
function userIdOf(customer: SimulatedCustomer): number {
  const id = Number(telegramIdOf(customer.id));
  if (!Number.isSafeInteger(id)) throw new Error('not a Telegram chat');
  return id;
}

/** Telegram names the sender (and the chat, and a shared card) by the user's first name. */
function sentBy(update: TelegramUpdate, name: string): TelegramUpdate {
  const message = update.message;
  if (!message) return update;
  return {
    ...update,
    message: {
      ...message,
      chat: { ...message.chat, first_name: name },
      ...(message.from ? { from: { ...message.from, first_name: name } } : {}),
      ...(message.contact ? { contact: { ...message.contact, first_name: name } } : {}),
    },
  };
}

export function telegramLink(options: TelegramLinkOptions) {
  const post = async (update: TelegramUpdate, customer: SimulatedCustomer) => {
    accepted(await postUpdate(options.webhookUrl, sentBy(update, customer.name), options.secret));
  };
  const fake = { url: options.fakeTelegramUrl, name: 'fake Telegram', query: 'chat' };

  return {
    /** /start: the bot answers it through outbound like anything else, so there is no welcome here. */
    async open(customer: SimulatedCustomer): Promise<null> {
      await post(TelegramUpdates.start(userIdOf(customer)), customer);
      return null;
    },
    async text(customer: SimulatedCustomer, text: string): Promise<void> {
      await post(TelegramUpdates.text(userIdOf(customer), text), customer);
    },
    /** A request_contact button: the user's own card, the number in digits as Telegram sends it. */
    async contact(customer: SimulatedCustomer, phone: string): Promise<void> {
      await post(TelegramUpdates.contact(userIdOf(customer), phone.replace(/\D/g, '')), customer);
    },
    messages: (chatId: string, after: number) => sentTo<SentCall>(fake, telegramIdOf(chatId) ?? '', after),
  } satisfies ChatLink;
}

export type TelegramLink = ReturnType<typeof telegramLink>;
