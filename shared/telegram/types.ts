/** Telegram Bot API wire types: only the fields this product reads or writes. */

export const TELEGRAM_API_ROOT = 'https://api.telegram.org';

/** The header carrying setWebhook's secret_token on every update Telegram posts. */
export const TELEGRAM_SECRET_HEADER = 'x-telegram-bot-api-secret-token';

/** The updates the bot asks for in setWebhook: messages, and being blocked or unblocked. */
export const TELEGRAM_ALLOWED_UPDATES = ['message', 'my_chat_member'] as const;

export interface TelegramUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export interface TelegramChat {
  id: number;
  type: 'private' | 'group' | 'supergroup' | 'channel';
  first_name?: string;
  username?: string;
  title?: string;
}

export interface TelegramContact {
  phone_number: string;
  first_name: string;
  last_name?: string;
  /** The Telegram user whose card it is; absent for a card of someone not on Telegram. */
  user_id?: number;
}

export interface TelegramLocation {
  latitude: number;
  longitude: number;
}

export interface TelegramMessage {
  message_id: number;
  /** Seconds since the epoch. */
  date: number;
  chat: TelegramChat;
  from?: TelegramUser;
  text?: string;
  contact?: TelegramContact;
  location?: TelegramLocation;
}

export interface TelegramChatMember {
  status: 'creator' | 'administrator' | 'member' | 'restricted' | 'left' | 'kicked';
  user: TelegramUser;
}

/** The bot's own membership changed: in a private chat, the user blocked ('kicked') or unblocked it. */
export interface TelegramChatMemberUpdated {
  chat: TelegramChat;
  from: TelegramUser;
  date: number;
  old_chat_member: TelegramChatMember;
  new_chat_member: TelegramChatMember;
}

export interface TelegramUpdate {
  update_id: number;
  message?: TelegramMessage;
  my_chat_member?: TelegramChatMemberUpdated;
}

export interface KeyboardButton {
  text: string;
  request_contact?: boolean;
  request_location?: boolean;
}

/** The keyboard under the input field; it stays until another one replaces it. */
export interface ReplyKeyboardMarkup {
  keyboard: KeyboardButton[][];
  resize_keyboard?: boolean;
  is_persistent?: boolean;
}

/** Buttons under one message; the bot uses URL buttons only (no callback queries). */
export interface InlineKeyboardButton {
  text: string;
  url: string;
}

export interface InlineKeyboardMarkup {
  inline_keyboard: InlineKeyboardButton[][];
}

/** Every Bot API answer: HTTP status and error_code agree; retry_after comes with 429. */
export type TelegramAnswer<T = unknown> =
  | { ok: true; result: T; description?: string }
  | {
      ok: false;
      error_code: number;
      description: string;
      parameters?: { retry_after?: number; migrate_to_chat_id?: number };
    };

export const TELEGRAM_SEND_METHODS = ['sendMessage', 'sendDocument', 'sendLocation'] as const;
export type TelegramSendMethod = (typeof TELEGRAM_SEND_METHODS)[number];

/** One Bot API call a reply is sent as: the method and its JSON parameters. */
export interface TelegramCall {
  method: TelegramSendMethod;
  body: Record<string, unknown>;
}
