import type { ConfigReader } from '../../shared/ops/config.js';
import { readViberConfig } from '../../shared/viber/config.js';
import { readTelegramConfig } from '../../shared/telegram/config.js';
import { DEFAULT_RATE_LIMIT } from './rate-limit.js';

/** Ingress's own settings; the bus and partitions come from the infra config. */
export function readIngressSettings(env: ConfigReader) {
  return {
    viber: readViberConfig(env),
    telegram: readTelegramConfig(env),
    host: env.string('INGRESS_HOST', '0.0.0.0'),
    port: env.int('INGRESS_PORT', 8080, { min: 0, max: 65535 }),
    paymentSecret: env.secret('PAYMENT_SECRET'),
    // Viber waits for the answer: below a second, so a bus in trouble costs it a 503, not a hang.
    publishTimeoutMs: env.int('PUBLISH_TIMEOUT_MS', 800, { min: 50 }),
    rateLimit: {
      burst: env.int('RATE_LIMIT_BURST', DEFAULT_RATE_LIMIT.burst, { min: 1 }),
      perSecond: env.number('RATE_LIMIT_PER_SECOND', DEFAULT_RATE_LIMIT.perSecond, { min: 0.001 }),
      maxChats: env.int('RATE_LIMIT_CHATS', DEFAULT_RATE_LIMIT.maxChats, { min: 1 }),
    },
  };
}

export type IngressSettings = ReturnType<typeof readIngressSettings>;
