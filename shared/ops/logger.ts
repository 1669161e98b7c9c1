import { pino, type DestinationStream, type Logger } from 'pino';
import { sha256Hex } from './digest.js';

export type { Logger };

/**
 * Field names that may carry personal data or secrets, compared without case: phone numbers and
 * SMS codes never reach a log in clear, and neither do the bot token, the shared secrets or the
 * signatures (headers among them).
 */
const SECRET_FIELD_NAMES = [
  'phone',
  'phoneNumber',
  'phone_number',
  'code',
  'smsCode',
  'token',
  'authToken',
  'auth_token',
  'accessToken',
  'secret',
  'password',
  'signature',
  'secret_token',
  'secretToken',
  'x-telegram-bot-api-secret-token',
  'botToken',
  'authorization',
  'cookie',
  'x-viber-auth-token',
  'x-viber-content-signature',
  'x-payment-signature',
];
const SECRET_FIELDS = new Set(SECRET_FIELD_NAMES.map((field) => field.toLowerCase()));

export const REDACTED = '[redacted]';

/**
 * Deep enough for an error's request config's headers. Deeper objects (and cycles) are left out,
 * not shown unchecked.
 */
const MAX_DEPTH = 10;
const TOO_DEEP = '[too deep to log]';

/** A symbolic error code (ECONNREFUSED, ERR_INVALID_URL) says what failed and cannot be an SMS code: it stays. */
const ERROR_CODE = /^[A-Z][A-Z0-9_]+$/;

const censor = (key: string, value: unknown): unknown =>
  key.toLowerCase() === 'code' && typeof value === 'string' && ERROR_CODE.test(value) ? value : REDACTED;

/**
 * Plain objects, arrays and errors are walked; other instances (buffers, requests) are pino's
 * serializers' business.
 */
function isWalkable(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null || Array.isArray(value) || value instanceof Error;
}

/**
 * A copy that keeps what pino's serializers look at: an error stays an error of its class, with its
 * message and stack.
 */
function shallowCopy(value: Record<string, unknown>): Record<string, unknown> {
  if (Array.isArray(value)) return [...value] as unknown as Record<string, unknown>;
  if (value instanceof Error)
    return Object.assign(Object.create(Object.getPrototypeOf(value)), value, {
      message: value.message,
      stack: value.stack,
    });
  return { ...value };
}

/**
 * `value` with every secret field censored at any depth, copied only along the paths where
 * something was censored: the caller's objects are never changed, and a line without secrets
 * costs one walk. (pino's own `redact` needs a path per depth, and its wildcard paths made each
 * line ten times slower.)
 */
export function redactSecrets<T>(value: T, depth = 0): T {
  if (!isWalkable(value)) return value;
  if (depth > MAX_DEPTH) return TOO_DEEP as T;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const field = value[key];
    const safe = SECRET_FIELDS.has(key.toLowerCase()) ? censor(key, field) : redactSecrets(field, depth + 1);
    if (safe !== field) {
      copy ??= shallowCopy(value);
      copy[key] = safe;
    }
  }
  return (copy ?? value) as T;
}

/** `destination` is stdout unless given (tests pass a stream to read what was logged). */
export function createLogger(service: string, level = 'info', destination?: DestinationStream): Logger {
  const options = {
    name: service,
    level,
    formatters: { log: redactSecrets },
    // A child logger's bindings skip the formatters: pino's own redaction covers their top level.
    redact: {
      paths: SECRET_FIELD_NAMES.map((field) => (/^\w+$/.test(field) ? field : `["${field}"]`)),
      censor: (value: unknown, path: string[]) => censor(path.at(-1) ?? '', value),
    },
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}

/** A chat id is personal data too: logs carry a short stable digest that still groups a chat's lines. */
export function chatTag(chatId: string): string {
  return sha256Hex(chatId, 12);
}
