import { telegramChatId } from '../contracts/channel.js';
import { ChatEventKind, type ChatEvent } from '../contracts/chat-event.js';
import { isRecord } from '../contracts/is-record.js';
import {
  firstBroken,
  inRange,
  isName,
  isNaturalNumber,
  isSafeInteger,
  isText,
  valueAt,
  type Check,
  type Rules,
} from '../contracts/json-rules.js';
import { isTelegramSecret } from './secret.js';
import type { TelegramChatMemberUpdated, TelegramMessage, TelegramUpdate } from './types.js';

/**
 * The one reading of a Telegram update: the raw bytes and the secret header in, what to do with
 * them out, in one pass and without throwing. The secret is checked before anything is parsed;
 * then every field the bot reads is checked for its type once, like the Viber reader does, so a
 * wrong type never travels on as "[object Object]" or an invalid date.
 */
export type TelegramReading =
  | { ok: true; event: ChatEvent }
  /** Acknowledge only: a group or channel (the bot serves private chats), or an update it does not use. */
  | { ok: true; event: null; ignored: 'not-private' | 'unsupported' }
  /** Refused. `detail` is the answer's text: it names the first bad field, never its value. */
  | { ok: false; reason: 'bad-secret' | 'malformed'; detail: string };

/** Telegram's limits on what a user sends, with room: a name is 1-64 characters there. */
const MAX_TEXT = 4096;
const MAX_NAME = 256;
const MAX_PHONE = 64;
/** The largest time a Date can hold, in seconds. */
const MAX_SECONDS = 8.64e12;

const isSeconds: Check = (value) => isNaturalNumber(value) && value <= MAX_SECONDS;

/** The updates the bot reads, in the order they are looked for; anything else is acknowledged only. */
const UPDATE_KINDS = ['message', 'my_chat_member'] as const;
type UpdateKind = (typeof UPDATE_KINDS)[number];

const chatRules = (kind: UpdateKind): Rules => ({
  [kind]: isRecord,
  [`${kind}.chat`]: isRecord,
  [`${kind}.chat.id`]: isSafeInteger,
  [`${kind}.chat.type`]: isName(MAX_NAME),
});

/** Checked only once the chat is known to be private: a group's fields are none of the bot's business. */
const KIND_RULES: Readonly<Record<UpdateKind, Rules>> = {
  message: {
    'message.date': isSeconds,
    'message.from': isRecord,
    'message.from.id': isSafeInteger,
    'message.from.first_name?': isText(MAX_NAME),
  },
  my_chat_member: {
    'my_chat_member.date': isSeconds,
    'my_chat_member.new_chat_member': isRecord,
    'my_chat_member.new_chat_member.status': isName(MAX_NAME),
    'my_chat_member.from.first_name?': isText(MAX_NAME),
  },
};

/** What a message carries, in the order looked for (a venue carries a location too). */
const CONTENT_RULES: Readonly<Record<'text' | 'contact' | 'location', Rules>> = {
  text: { 'message.text': isText(MAX_TEXT) },
  contact: {
    'message.contact': isRecord,
    'message.contact.phone_number': isText(MAX_PHONE),
    'message.contact.first_name?': isText(MAX_NAME),
    'message.contact.user_id?': isSafeInteger,
  },
  location: {
    'message.location': isRecord,
    'message.location.latitude': inRange(-90, 90),
    'message.location.longitude': inRange(-180, 180),
  },
};
const CONTENTS = Object.keys(CONTENT_RULES) as (keyof typeof CONTENT_RULES)[];

/** Keys of a message that say how it came, not what it is: never taken for its media type. */
const ENVELOPE_KEYS = new Set(
  `message_id message_thread_id from sender_chat sender_boost_count sender_business_bot date business_connection_id
  chat forward_origin is_topic_message is_automatic_forward reply_to_message external_reply quote reply_to_story
  via_bot edit_date has_protected_content is_from_offline media_group_id author_signature entities caption
  caption_entities show_caption_above_media has_media_spoiler link_preview_options effect_id reply_markup`.split(/\s+/),
);
const MEDIA_TYPE = /^[a-z][a-z0-9_]{0,63}$/;

/** `/start`, `/start@Bot` or `/start <payload>`: the payload is a deep link's start parameter. */
const START_COMMAND = /^\/start(?:@\w+)?(?:\s+([\s\S]*))?$/;

export function readTelegramUpdate(
  raw: Buffer,
  secretToken: string | readonly string[] | undefined,
  secret: string,
): TelegramReading {
  if (!isTelegramSecret(secretToken, secret))
    return { ok: false, reason: 'bad-secret', detail: 'invalid secret token' };
  const body = parse(raw);
  if (!isRecord(body)) return malformed(body === NOT_JSON ? 'body is not valid JSON' : 'body is not a JSON object');
  const badId = firstBroken(body, { update_id: isNaturalNumber });
  if (badId !== undefined) return invalid(badId);
  const kind = UPDATE_KINDS.find((key) => isPresent(body[key]));
  if (kind === undefined) return ignored('unsupported');
  const badChat = firstBroken(body, chatRules(kind));
  if (badChat !== undefined) return invalid(badChat);
  if (valueAt(body, `${kind}.chat.type`) !== 'private') return ignored('not-private');
  const content = kind === 'message' ? CONTENTS.find((key) => isPresent(valueAt(body, `message.${key}`))) : undefined;
  const broken = firstBroken(body, { ...KIND_RULES[kind], ...(content ? CONTENT_RULES[content] : {}) });
  if (broken !== undefined) return invalid(broken);

  // Every field read below has kept its rule.
  const update = body as unknown as TelegramUpdate;
  const event = kind === 'message' ? fromMessage(update.update_id, update.message!) : fromMember(update);
  return event === null ? ignored('unsupported') : { ok: true, event };
}

const isPresent = (value: unknown) => value !== undefined && value !== null;
const malformed = (detail: string): TelegramReading => ({ ok: false, reason: 'malformed', detail });
const invalid = (path: string) => malformed(`missing or invalid ${path}`);
const ignored = (why: 'not-private' | 'unsupported'): TelegramReading => ({ ok: true, event: null, ignored: why });

const NOT_JSON = Symbol('not JSON');

/** update_id stays below 2^53, so plain JSON.parse keeps it exact. */
function parse(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return NOT_JSON;
  }
}

const base = (updateId: number, chatId: number, date: number) => ({
  id: `tg:${updateId}`,
  channel: 'telegram' as const,
  chatId: telegramChatId(chatId),
  at: date * 1000,
});

function fromMessage(updateId: number, message: TelegramMessage): ChatEvent {
  const event = base(updateId, message.chat.id, message.date);
  const name = message.from?.first_name;
  if (typeof message.text === 'string') {
    const start = START_COMMAND.exec(message.text);
    if (!start) return { ...event, kind: ChatEventKind.Text, text: message.text, name };
    const context = start[1]?.trim() || undefined;
    return { ...event, kind: ChatEventKind.Opened, greet: true, context, name };
  }
  if (message.contact) {
    const { phone_number: phone, first_name, user_id } = message.contact;
    return {
      ...event,
      kind: ChatEventKind.Contact,
      phone: phone === '' ? undefined : /^\d+$/.test(phone) ? `+${phone}` : phone,
      name: first_name,
      // A card without user_id is someone's not on Telegram: never the sender's own account.
      own: user_id !== undefined && user_id === message.from?.id,
    };
  }
  if (message.location) {
    const { latitude: lat, longitude: lon } = message.location;
    return { ...event, kind: ChatEventKind.Location, lat, lon };
  }
  return { ...event, kind: ChatEventKind.Media, mediaType: mediaTypeOf(message) };
}

/** The key that holds what the message is (photo, sticker, voice…); 'unknown' when none looks like one. */
function mediaTypeOf(message: TelegramMessage): string {
  const key = Object.keys(message).find((name) => !ENVELOPE_KEYS.has(name));
  return key !== undefined && MEDIA_TYPE.test(key) ? key : 'unknown';
}

/** In a private chat the bot's membership changes only when the user blocks it or starts it again. */
function fromMember(update: TelegramUpdate): ChatEvent | null {
  const member: TelegramChatMemberUpdated = update.my_chat_member!;
  const event = base(update.update_id, member.chat.id, member.date);
  switch (member.new_chat_member.status) {
    case 'kicked':
      return { ...event, kind: ChatEventKind.Unsubscribed };
    case 'member':
      return { ...event, kind: ChatEventKind.Subscribed, name: member.from?.first_name };
    default:
      return null;
  }
}
