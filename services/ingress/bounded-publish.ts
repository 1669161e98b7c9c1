import type { BusLink } from '../../shared/ops/readiness.js';
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
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      const late = () => reject(new BusUnavailableError(`the bus did not store the event within ${timeoutMs} ms`));
      timer = setTimeout(late, timeoutMs);
    });
    try {
      return await Promise.race([publish(event, correlationId), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
}
