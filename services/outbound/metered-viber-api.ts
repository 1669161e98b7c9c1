import { Counter, type Registry } from 'prom-client';
import { recordOutcome } from '../../shared/ops/metrics.js';
import { ViberApiError, ViberTimeoutError } from '../../shared/ports/viber-api.js';
import type { SendMessage } from './viber-send.js';

/**
 * Viber's status of a call: "0" for success, its error status, "timeout" when no answer came in
 * time (the message may have been delivered), or "unreachable" for any other transport failure
 * (connection refused or reset, an HTTP error page instead of Viber's JSON).
 */
function callStatus(error: unknown): string {
  if (error instanceof ViberApiError && error.status !== undefined) return String(error.status);
  if (error instanceof ViberTimeoutError) return 'timeout';
  return 'unreachable';
}

/**
 * Counts send_message calls by outcome, so a rise of 12 (too many requests), of timeouts or of
 * permanent refusals shows on a dashboard before customers notice.
 */
export function meteredSend(send: SendMessage, registry: Registry): SendMessage {
  const calls = new Counter({
    name: 'energobot_viber_api_calls_total',
    help: 'Viber send_message calls by outcome (0 = ok, Viber status, timeout, unreachable)',
    labelNames: ['status'],
    registers: [registry],
  });
  const count = (status: string) => calls.inc({ status });
  return (message, timeoutMs) =>
    recordOutcome(() => send(message, timeoutMs), count, { ok: () => '0', failed: callStatus });
}
