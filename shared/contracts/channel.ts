/**
 * The messengers a customer can reach the bot on. A chat belongs to one channel: its id says which.
 * Viber's ids stay as Viber gives them (so the chats kept before Telegram came keep their records);
 * every other channel's ids carry a prefix, so the same number on two messengers is two chats.
 */
export const Channels = ['viber', 'telegram'] as const;
export type Channel = (typeof Channels)[number];

const TELEGRAM_PREFIX = 'tg:';

/** The chat id of a Telegram private chat (its `chat.id`, which equals the user's id). */
export const telegramChatId = (telegramId: number | string): string => `${TELEGRAM_PREFIX}${telegramId}`;

/** Telegram's own id of the chat, for the Bot API's `chat_id`, or undefined when it is no Telegram chat. */
export const telegramIdOf = (chatId: string): string | undefined =>
  chatId.startsWith(TELEGRAM_PREFIX) ? chatId.slice(TELEGRAM_PREFIX.length) : undefined;

/** Viber's ids are base64 and never hold a colon, so they cannot be taken for another channel's. */
export const channelOf = (chatId: string): Channel => (chatId.startsWith(TELEGRAM_PREFIX) ? 'telegram' : 'viber');

/** What a channel can show; the dialogue offers only what the customer's messenger supports. */
export interface ChannelFeatures {
  /** Buttons in a colour of the chat's choosing (Viber's BgColor); Telegram draws its own. */
  buttonColours: boolean;
  /** The messenger's name, as the customer knows it («номер, с которым пользуетесь Viber»). */
  name: string;
}

export const CHANNEL_FEATURES: Readonly<Record<Channel, ChannelFeatures>> = {
  viber: { buttonColours: true, name: 'Viber' },
  telegram: { buttonColours: false, name: 'Telegram' },
};

export const isChannel = (value: unknown): value is Channel => Channels.includes(value as Channel);
