import { ChatEventKind, type ChatEvent } from '../contracts/chat-event.js';
import { isRecord } from '../contracts/is-record.js';
import {
  firstBroken,
  inRange,
  isNaturalNumber,
  isString,
  isText as isTextOf,
  type Check,
  type Rules,
} from '../contracts/json-rules.js';
import { parseExactJson } from './exact-json.js';
import { isValidViberSignature } from './signature.js';
import type { ViberCallback, ViberInboundMessage } from './types.js';

/**
 * The one reading of a Viber callback: the raw bytes and their signature in, what to do with them
 * out, in one pass and without throwing. The signature is checked over the raw bytes before
 * anything is parsed. A signed body comes from Viber, but a field of the wrong type must still not
 * travel on: an object as an id would become "[object Object]", a number as the text an empty
 * message, a timestamp in text an invalid date. So every field the bot reads is checked for its
 * type (and ids for their shape) once, before the callback becomes a chat event; fields it does
 * not read are left alone, so Viber may add to them.
 */
export type ViberReading =
  /**
   * A callback for the dialogue. `welcome`: it is conversation_started, whose HTTP answer Viber
   * shows as the welcome.
   */
  | { ok: true; event: ChatEvent; welcome: boolean }
  /**
   * Nothing for the dialogue, to acknowledge only: a receipt (webhook, delivered, seen), or an
   * event type Viber may add one day.
   */
  | { ok: true; event: null; ignored: 'receipt' | 'unknown-event' }
  /** Refused. `detail` is the answer's text: it names the first bad field, never its value. */
  | { ok: false; reason: 'bad-signature' | 'malformed'; detail: string };

/** The largest time a Date can hold, in ms since the epoch. */
const MAX_TIME_MS = 8.64e15;
const MAX_ID_LENGTH = 256;
const MAX_TYPE_LENGTH = 64;
/** Control characters have no place in an id; they would end up in logs and keys. */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

const isBoolean: Check = (value) => typeof value === 'boolean';
const isNumber: Check = (value) => typeof value === 'number';
const isText = isTextOf(Infinity);
const isTypeName: Check = (value) => typeof value === 'string' && value.length > 0 && value.length <= MAX_TYPE_LENGTH;
/** Viber's user ids are short strings; a number is taken too. */
const isUserId: Check = (value) =>
  isNaturalNumber(value) ||
  (typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH && !CONTROL_CHARACTER.test(value));
/** message_token is an integer, beyond 2^53 (then kept as its decimal string by the exact parser). */
const isToken: Check = (value) => isNaturalNumber(value) || (typeof value === 'string' && /^\d{1,40}$/.test(value));
const isTime: Check = (value) => isNaturalNumber(value) && value <= MAX_TIME_MS;

/**
 * Every callback's envelope, in two steps: the type of each field, then its value. A field of the
 * wrong type is named before one of the right type with a wrong value.
 */
const ENVELOPE_TYPES: Rules = {
  event: isString,
  message_token: (value) => isNumber(value) || (isString(value) && value !== ''),
  timestamp: isNumber,
};
const EVERY_CALLBACK: Rules = { event: isTypeName, timestamp: isTime, message_token: isToken };

const userRules = (key: string): Rules => ({ [key]: isRecord, [`${key}.id`]: isUserId, [`${key}.name?`]: isString });

const EVENT_RULES: Readonly<Record<string, Rules>> = {
  conversation_started: { ...userRules('user'), 'context?': isString, 'subscribed?': isBoolean },
  subscribed: userRules('user'),
  unsubscribed: { user_id: isUserId },
  failed: { user_id: isUserId, 'desc?': isString },
  message: { ...userRules('sender'), message: isRecord, 'message.type': isTypeName },
};

const MESSAGE_RULES: Readonly<Record<string, Rules>> = {
  text: { 'message.text': isText },
  contact: {
    'message.contact?': isRecord,
    'message.contact.phone_number?': isString,
    'message.contact.name?': isString,
  },
  location: {
    'message.location?': isRecord,
    'message.location.lat?': inRange(-90, 90),
    'message.location.lon?': inRange(-180, 180),
  },
};

/** Callbacks that carry nothing for the dialogue: acknowledged to Viber, not put on the bus. */
const RECEIPT_EVENTS = new Set(['webhook', 'delivered', 'seen']);

/** The signature over the raw bytes first, then the JSON, then each field the bot reads, each once. */
export function readViberCallback(rawBody: Buffer, signature: string | undefined, authToken: string): ViberReading {
  if (!isValidViberSignature(rawBody, signature, authToken))
    return { ok: false, reason: 'bad-signature', detail: 'invalid signature' };
  const body = parse(rawBody);
  if (!isRecord(body)) return malformed(body === NOT_JSON ? 'body is not valid JSON' : 'body is not a JSON object');
  for (const rules of rulesFor(body)) {
    const broken = firstBroken(body, rules);
    if (broken !== undefined) return malformed(`missing or invalid ${broken}`);
  }
  // Every field toChatEvent reads has kept its rule.
  const callback = body as unknown as ViberCallback;
  if (RECEIPT_EVENTS.has(callback.event)) return { ok: true, event: null, ignored: 'receipt' };
  const event = toChatEvent(callback);
  if (event === null) return { ok: true, event: null, ignored: 'unknown-event' };
  return { ok: true, event, welcome: callback.event === 'conversation_started' };
}

const malformed = (detail: string): ViberReading => ({ ok: false, reason: 'malformed', detail });

const NOT_JSON = Symbol('not JSON');

/** The body as JSON, or NOT_JSON: bytes that are not UTF-8 JSON, or nested deeper than the parser goes. */
function parse(rawBody: Buffer): unknown {
  try {
    return parseExactJson(rawBody.toString('utf8'));
  } catch {
    return NOT_JSON;
  }
}

/** The tables of rules a body must keep, in order; each is chosen only once the ones before it hold. */
function* rulesFor(body: Record<string, unknown>): Generator<Rules> {
  yield ENVELOPE_TYPES;
  yield EVERY_CALLBACK;
  yield rulesOf(EVENT_RULES, body.event as string);
  if (body.event === 'message') yield rulesOf(MESSAGE_RULES, (body.message as Record<string, unknown>).type as string);
}

/** The rules of `key` in `table`; an own property only, so an event named "constructor" has none. */
const rulesOf = (table: Readonly<Record<string, Rules>>, key: string): Rules =>
  Object.hasOwn(table, key) ? table[key]! : {};

/** The channel-neutral event of a checked callback, or null for an event type the bot does not know. */
function toChatEvent(callback: ViberCallback): ChatEvent | null {
  // Ids may arrive as numbers: the event carries them as strings.
  const base = { id: String(callback.message_token), channel: 'viber' as const, at: callback.timestamp };
  switch (callback.event) {
    case 'conversation_started':
      return {
        ...base,
        chatId: String(callback.user.id),
        kind: ChatEventKind.Opened,
        context: callback.context,
        name: callback.user.name,
      };
    case 'subscribed':
      return { ...base, chatId: String(callback.user.id), kind: ChatEventKind.Subscribed, name: callback.user.name };
    case 'unsubscribed':
      return { ...base, chatId: String(callback.user_id), kind: ChatEventKind.Unsubscribed };
    case 'failed':
      return {
        ...base,
        chatId: String(callback.user_id),
        kind: ChatEventKind.DeliveryFailed,
        reason: typeof callback.desc === 'string' ? callback.desc : 'unknown',
      };
    case 'message':
      return {
        ...base,
        chatId: String(callback.sender.id),
        ...fromMessage(callback.message, callback.sender.name),
      } as ChatEvent;
    default:
      return null;
  }
}

/** A chat event without the fields every event has. */
type MessagePart = ChatEvent extends infer E
  ? E extends ChatEvent
    ? Omit<E, 'id' | 'channel' | 'chatId' | 'at'>
    : never
  : never;

function fromMessage(message: ViberInboundMessage, name: string | undefined): MessagePart {
  switch (message.type) {
    case 'text':
      return { kind: ChatEventKind.Text, text: message.text ?? '', name };
    case 'contact': {
      const phone = message.contact?.phone_number;
      return {
        kind: ChatEventKind.Contact,
        phone: typeof phone === 'string' && phone !== '' ? phone : undefined,
        name: message.contact?.name,
      };
    }
    case 'location': {
      const { lat, lon } = message.location ?? {};
      if (typeof lat === 'number' && typeof lon === 'number') return { kind: ChatEventKind.Location, lat, lon };
      return { kind: ChatEventKind.Media, mediaType: 'location' };
    }
    default:
      return { kind: ChatEventKind.Media, mediaType: message.type };
  }
}
