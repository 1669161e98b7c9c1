import { createHash } from 'node:crypto';
import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Paths that may carry personal data or secrets. Phone numbers and SMS codes never reach a log
 * in clear, and neither does the bot token.
 */
const REDACTED_PATHS = [
  'phone',
  '*.phone',
  'phoneNumber',
  '*.phoneNumber',
  '*.phone_number',
  '*.*.phone_number',
  'code',
  '*.code',
  'authToken',
  '*.authToken',
  'token',
  '*.token',
  'headers["x-viber-auth-token"]',
  'req.headers["x-viber-auth-token"]',
  'req.headers["x-viber-content-signature"]',
];

export function createLogger(service: string, level = 'info'): Logger {
  return pino({
    name: service,
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

/** A chat id is personal data too: logs carry a short stable digest that still groups a chat's lines. */
export function chatTag(chatId: string): string {
  return createHash('sha256').update(chatId).digest('hex').slice(0, 12);
}
