import { createHash } from 'node:crypto';

/**
 * A SHA-256 digest in hex, cut to `length` characters: names a value (a chat id, a phone, a reply id)
 * in a key, a subject or a log line without holding it, and keeps the key short and safe.
 */
export const sha256Hex = (value: string, length = 64): string =>
  createHash('sha256').update(value).digest('hex').slice(0, length);
