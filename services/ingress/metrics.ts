import { Counter, Histogram, type Registry } from 'prom-client';
import { LATENCY_BUCKETS, recordOutcome } from '../../shared/ops/metrics.js';
import type { PublishEvent } from '../../shared/ports/publish-event.js';

/** Where a callback came from: a messenger's webhook or the payment provider's notice. */
export type CallbackSource = 'viber' | 'telegram' | 'payment';

/** What ingress tells the metrics about each callback; the reasons are the ones it logs. */
export interface CallbackMeter {
  received(source: CallbackSource): void;
  refused(source: CallbackSource, reason: string): void;
}

export const unmetered: CallbackMeter = { received() {}, refused() {} };

export function registerCallbackMetrics(registry: Registry): CallbackMeter {
  const received = new Counter({
    name: 'energobot_callbacks_received_total',
    help: 'Callbacks that reached ingress, by source',
    labelNames: ['source'],
    registers: [registry],
  });
  const refused = new Counter({
    name: 'energobot_callbacks_refused_total',
    help:
      'Callbacks not taken, by reason ' +
      '(bad-signature, bad-secret, malformed, rate-limited, unavailable, body-too-large, unreadable)',
    labelNames: ['source', 'reason'],
    registers: [registry],
  });
  return {
    received: (source) => received.inc({ source }),
    refused: (source, reason) => refused.inc({ source, reason }),
  };
}

/** Times each publish until JetStream has stored the event: the bulk of a callback's answer time. */
export function timedPublish(publish: PublishEvent, registry: Registry): PublishEvent {
  const seconds = new Histogram({
    name: 'energobot_publish_duration_seconds',
    help: 'Publishing a chat event until JetStream stored it, by outcome',
    labelNames: ['outcome'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const observe = (outcome: string, elapsed: number) => seconds.observe({ outcome }, elapsed);
  return (event, correlationId) =>
    recordOutcome(() => publish(event, correlationId), observe, {
      ok: (result) => (result.duplicate ? 'duplicate' : 'stored'),
    });
}
