import { MalformedCallbackError, readCallback } from './to-chat-event.js';
import type { ViberCallback } from './types.js';

/**
 * The strict reading of a callback that ingress uses. A signed body comes from Viber, but a field
 * of the wrong type must still not travel on: an object as an id would become "[object Object]",
 * a number as the text an empty message, a timestamp in text an invalid date. So every field the
 * bot reads is checked for its type (and ids for their shape) before the callback becomes a chat
 * event; fields it does not read are left alone, so Viber may add to them.
 */

type Check = (value: unknown) => boolean;
/** Path → check; a path ending in `?` is optional: absent or null is fine, any other value is checked. */
type Rules = Readonly<Record<string, Check>>;

/** The largest time a Date can hold, in ms since the epoch. */
const MAX_TIME_MS = 8.64e15;
const MAX_ID_LENGTH = 256;
const MAX_TYPE_LENGTH = 64;
/** Control characters have no place in an id; they would end up in logs and keys. */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
/** Half of a surrogate pair alone: not text any client can type, and not valid UTF-8 on the way back. */
const LONE_SURROGATE = /\p{Cs}/u;

const isObject: Check = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);
const isString: Check = (value) => typeof value === 'string';
const isBoolean: Check = (value) => typeof value === 'boolean';
const isText: Check = (value) => typeof value === 'string' && !LONE_SURROGATE.test(value);
const isNaturalNumber = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isTypeName: Check = (value) => typeof value === 'string' && value.length > 0 && value.length <= MAX_TYPE_LENGTH;
/** Viber's user ids are short strings; a number is taken too, as the lenient reader always did. */
const isUserId: Check = (value) => isNaturalNumber(value) || (typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH && !CONTROL_CHARACTER.test(value));
/** message_token is an integer, beyond 2^53 (then kept as its decimal string by the exact parser). */
const isToken: Check = (value) => isNaturalNumber(value) || (typeof value === 'string' && /^\d{1,40}$/.test(value));
const isTime: Check = (value) => isNaturalNumber(value) && value <= MAX_TIME_MS;
const between = (min: number, max: number): Check => (value) => typeof value === 'number' && value >= min && value <= max;

const EVERY_CALLBACK: Rules = { event: isTypeName, timestamp: isTime, message_token: isToken };

const userRules = (key: string): Rules => ({ [key]: isObject, [`${key}.id`]: isUserId, [`${key}.name?`]: isString });

const EVENT_RULES: Readonly<Record<string, Rules>> = {
  conversation_started: { ...userRules('user'), 'context?': isString, 'subscribed?': isBoolean },
  subscribed: userRules('user'),
  unsubscribed: { user_id: isUserId },
  failed: { user_id: isUserId, 'desc?': isString },
  message: { ...userRules('sender'), message: isObject, 'message.type': isTypeName },
};

const MESSAGE_RULES: Readonly<Record<string, Rules>> = {
  text: { 'message.text': isText },
  contact: { 'message.contact?': isObject, 'message.contact.phone_number?': isString, 'message.contact.name?': isString },
  location: { 'message.location?': isObject, 'message.location.lat?': between(-90, 90), 'message.location.lon?': between(-180, 180) },
};

/** The rules of `key` in `table`; an own property only, so an event named "constructor" has none. */
const rulesOf = (table: Readonly<Record<string, Rules>>, key: string): Rules => (Object.hasOwn(table, key) ? table[key]! : {});

function valueAt(body: Record<string, unknown>, path: string): unknown {
  let value: unknown = body;
  for (const key of path.split('.')) value = isObject(value) ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

/** Throws MalformedCallbackError naming the first field that breaks its rule (never its value). */
function check(body: Record<string, unknown>, rules: Rules): void {
  for (const [rule, isValid] of Object.entries(rules)) {
    const optional = rule.endsWith('?');
    const path = optional ? rule.slice(0, -1) : rule;
    const value = valueAt(body, path);
    if (optional && (value === undefined || value === null)) continue;
    if (!isValid(value)) throw new MalformedCallbackError(`missing or invalid ${path}`);
  }
}

/** readCallback, then the type of every field the bot reads, event by event. */
export function readViberCallback(body: unknown): ViberCallback {
  const callback = readCallback(body);
  const fields = body as Record<string, unknown>;
  check(fields, EVERY_CALLBACK);
  check(fields, rulesOf(EVENT_RULES, callback.event));
  if (callback.event === 'message') check(fields, rulesOf(MESSAGE_RULES, callback.message.type));
  return callback;
}
