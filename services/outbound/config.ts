import type { ConfigReader } from '../../shared/ops/config.js';
import { DEFAULT_RETRY_MAX_MS } from '../../shared/bus/partitioned-consumer.js';
import type { DeliveryPolicy } from './deliver.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface OutboundSettings extends DeliveryPolicy {
  /** The cap of the retry backoff: during an outage each waiting partition tries Viber once per this. */
  retryMaxMs: number;
}

/** Outbound's own settings; the bus, retries' first delay and partitions come from the infra config. */
export function readOutboundSettings(env: ConfigReader): OutboundSettings {
  // Named VIBER_TIMEOUT_* before Telegram came; those names are still read, the new ones win.
  const sendTimeoutMs = env.int('SEND_TIMEOUT_MS', env.int('VIBER_TIMEOUT_MS', 10_000, { min: 100 }), { min: 100 });
  const maxFallback = env.int('VIBER_TIMEOUT_MAX_MS', Math.max(60_000, sendTimeoutMs), { min: sendTimeoutMs });
  return {
    sendTimeoutMs,
    sendTimeoutMaxMs: env.int('SEND_TIMEOUT_MAX_MS', maxFallback, { min: sendTimeoutMs }),
    // Viber's outages last minutes to hours: a day is how long an answer is still worth getting.
    replyMaxAgeMs: env.int('REPLY_MAX_AGE_MS', DAY_MS, { min: 1_000 }),
    retryMaxMs: env.int('RETRY_MAX_MS', DEFAULT_RETRY_MAX_MS, { min: 1 }),
  };
}
