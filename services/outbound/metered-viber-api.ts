import { Counter, type Registry } from 'prom-client';
import { recordOutcome } from '../../shared/ops/metrics.js';
import { ViberApiError } from '../../shared/ports/viber-api.js';
import { ViberTimeoutError, type SendMessage } from './viber-send.js';

/**
 * Viber's status of a call: "0" for success, its error status, "timeout" when no answer came in
 * time (the message may have been delivered), or "unreachable" for any other transport failure
 * (connection refused or reset, an HTTP error page instead of Viber's JSON).
 */
export function callStatus(error: unknown): string {
  if (error instanceof ViberApiError && error.status !== undefined) return String(error.status);
  // The API's own timeout (at the longest attempt) says so in its message.
  if (error instanceof ViberTimeoutError) return 'timeout';
  if (error instanceof Error && /no answer within/.test(error.message)) return 'timeout';
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
