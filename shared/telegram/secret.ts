import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Telegram signs nothing: it sends setWebhook's secret_token back in a header. The two are compared
 * as SHA-256 digests in constant time, so neither the timing nor a length check tells an attacker
 * anything. A header sent twice (an array), a missing one, or an empty configured secret never match.
 */
export function isTelegramSecret(header: string | readonly string[] | undefined, secret: string): boolean {
  if (typeof header !== 'string' || secret === '') return false;
  return timingSafeEqual(digest(header), digest(secret));
}
