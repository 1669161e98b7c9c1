import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-viber-content-signature';

/** Viber signs each callback: hex HMAC-SHA256 of the raw body, keyed with the bot's auth token. */
export function signViberBody(body: string | Buffer, authToken: string): string {
  return createHmac('sha256', authToken).update(body).digest('hex');
}

/** Compared in constant time, so the answer's timing tells an attacker nothing about the signature. */
export function isValidViberSignature(body: Buffer, signature: string | undefined, authToken: string): boolean {
  if (typeof signature !== 'string' || !/^[0-9a-f]{64}$/i.test(signature)) return false;
  const expected = Buffer.from(signViberBody(body, authToken), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}
