import type { Button, Reply } from '../contracts/reply.js';
import type {
  InlineKeyboardButton,
  InlineKeyboardMarkup,
  KeyboardButton,
  ReplyKeyboardMarkup,
  TelegramCall,
} from './types.js';

export type { TelegramCall } from './types.js';

export interface TelegramRenderOptions {
  /**
   * The text of the message that brings the keyboard when the reply itself carries URL buttons: a
   * message has room for one kind of keyboard only.
   */
  keyboardPrompt: string;
}

/** The dialogue lays buttons out on a six-column grid (Viber's); Telegram gets the same rows. */
const GRID = 6;

type UrlButton = Button & { action: { kind: 'open-url'; url: string } };
const isUrlButton = (button: Button): button is UrlButton => button.action.kind === 'open-url';

/**
 * A reply as the Bot API calls that show it, in order. URL buttons go under the message (inline);
 * the others under the input field, where Telegram keeps them until another keyboard comes. When a
 * reply has both, a second message brings the input keyboard, so it is always the one the dialogue
 * means. Throws for a reply it cannot render: outbound files it as bad data.
 */
export function renderTelegramCalls(reply: Reply, chatId: string, options: TelegramRenderOptions): TelegramCall[] {
  const chat_id = toChatId(chatId);
  const call = contentCall(reply, chat_id);
  const buttons = reply.keyboard?.buttons ?? [];
  const urlButtons = buttons.filter(isUrlButton);
  const replyButtons = buttons.filter((button) => !isUrlButton(button));
  const inline: InlineKeyboardMarkup | undefined =
    urlButtons.length > 0 ? { inline_keyboard: packRows(urlButtons, renderUrlButton) } : undefined;
  const keyboard: ReplyKeyboardMarkup | undefined =
    replyButtons.length > 0
      ? { keyboard: packRows(replyButtons, renderReplyButton), resize_keyboard: true, is_persistent: true }
      : undefined;
  if (inline && keyboard) {
    const prompt = { chat_id, text: required(options.keyboardPrompt, 'the keyboard prompt'), reply_markup: keyboard };
    return [withMarkup(call, inline), { method: 'sendMessage', body: prompt }];
  }
  const markup = inline ?? keyboard;
  return [markup ? withMarkup(call, markup) : call];
}

/** Telegram's own id of a private chat (the part after `tg:`), as the integer the API takes. */
function toChatId(chatId: string): number {
  const id = /^-?\d{1,16}$/.test(chatId) ? Number(chatId) : NaN;
  if (!Number.isSafeInteger(id)) throw new Error('the chat id is no Telegram chat id');
  return id;
}

function required(text: unknown, what: string): string {
  if (typeof text !== 'string' || text.trim() === '') throw new Error(`${what} is empty`);
  return text;
}

function contentCall(reply: Reply, chat_id: number): TelegramCall {
  switch (reply.kind) {
    case 'text':
      return { method: 'sendMessage', body: { chat_id, text: required(reply.text, 'the text') } };
    case 'url':
      return { method: 'sendMessage', body: { chat_id, text: required(reply.url, 'the URL') } };
    case 'file':
      // Telegram fetches the file from the URL itself, and names it after the URL's last part.
      return { method: 'sendDocument', body: { chat_id, document: required(reply.url, 'the file URL') } };
    case 'location':
      if (!Number.isFinite(reply.lat) || !Number.isFinite(reply.lon))
        throw new Error('the location has no coordinates');
      return { method: 'sendLocation', body: { chat_id, latitude: reply.lat, longitude: reply.lon } };
    default:
      throw new Error(`a reply of kind "${String((reply as { kind: unknown }).kind)}" cannot be rendered`);
  }
}

const withMarkup = (call: TelegramCall, markup: InlineKeyboardMarkup | ReplyKeyboardMarkup): TelegramCall => ({
  method: call.method,
  body: { ...call.body, reply_markup: markup },
});

/** Rows filled left to right; a button whose columns would pass the grid's width starts the next row. */
function packRows<T>(buttons: Button[], render: (button: Button) => T): T[][] {
  const rows: T[][] = [];
  let used = GRID;
  for (const button of buttons) {
    const columns = button.columns ?? GRID;
    if (!Number.isInteger(columns) || columns < 1 || columns > GRID)
      throw new Error(`a button is ${columns} columns wide, not 1..${GRID}`);
    if (used + columns > GRID) {
      rows.push([]);
      used = 0;
    }
    rows.at(-1)!.push(render(button));
    used += columns;
  }
  return rows;
}

/** Colours and heights have no place on Telegram: its client draws the buttons. */
function renderReplyButton(button: Button): KeyboardButton {
  const text = required(button.text, 'a button text');
  switch (button.action.kind) {
    case 'reply':
      // Telegram sends the button's text back, not a value of its own.
      if (button.action.value !== text) throw new Error('a reply button must send its own text on Telegram');
      return { text };
    case 'share-phone':
      return { text, request_contact: true };
    case 'location-picker':
      return { text, request_location: true };
    default:
      throw new Error(`a button of kind "${String(button.action.kind)}" cannot be rendered`);
  }
}

const renderUrlButton = (button: Button): InlineKeyboardButton => ({
  text: required(button.text, 'a button text'),
  url: required((button as UrlButton).action.url, 'a button URL'),
});
