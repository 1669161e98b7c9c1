import type { BusLink } from '../../shared/ops/readiness.js';
import { withTimeout } from '../../shared/ops/with-timeout.js';
import type { PublishEvent } from '../../shared/ports/publish-event.js';

/** The bus cannot take the event now: ingress answers 503 and the sender sends it again. */
export class BusUnavailableError extends Error {
  override name = 'BusUnavailableError';
}

/**
 * Publishes only while the bus is connected, and waits at most `timeoutMs` for JetStream to store
 * the event. Without this a publish waits out the client's 5 s request timeout while NATS is
 * gone, and Viber waits with it. An event stored after its timeout is harmless: Viber resends it
 * and the message id makes the resend a duplicate.
 */
export function boundedPublish(publish: PublishEvent, link: BusLink, timeoutMs: number): PublishEvent {
  return async (event, correlationId) => {
    if (!link.up) throw new BusUnavailableError('the bus is disconnected');
    const late = () => new BusUnavailableError(`the bus did not store the event within ${timeoutMs} ms`);
    return withTimeout(publish(event, correlationId), timeoutMs, 'publish', late);
  };
}
