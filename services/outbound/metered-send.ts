import { Counter, type Registry } from 'prom-client';
import type { Channel } from '../../shared/contracts/channel.js';
import { recordOutcome } from '../../shared/ops/metrics.js';
import { DeliveryError, DeliveryTimeoutError, type SendReply } from '../../shared/ports/channel-delivery.js';

/**
 * A send's outcome: "0" for success, the messenger's error code, "timeout" when no answer came in
 * time (the message may have been delivered), or "unreachable" for any other transport failure
 * (connection refused or reset, an HTTP error page instead of the API's JSON).
 */
function callStatus(error: unknown): string {
  if (error instanceof DeliveryError && error.status !== undefined) return String(error.status);
  if (error instanceof DeliveryTimeoutError) return 'timeout';
  return 'unreachable';
}

/**
 * Counts sends by outcome per messenger (`energobot_viber_api_calls_total`,
 * `energobot_telegram_api_calls_total`), so a rise of rate limiting, of timeouts or of permanent
 * refusals shows on a dashboard before customers notice.
 */
export function meteredSend(channel: Channel, send: SendReply, registry: Registry): SendReply {
  const calls = new Counter({
    name: `energobot_${channel}_api_calls_total`,
    help: `Replies sent to ${channel} by outcome (0 = ok, the API's error code, timeout, unreachable)`,
    labelNames: ['status'],
    registers: [registry],
  });
  const count = (status: string) => calls.inc({ status });
  return (outbound, attempt) =>
    recordOutcome(() => send(outbound, attempt), count, { ok: () => '0', failed: callStatus });
}
