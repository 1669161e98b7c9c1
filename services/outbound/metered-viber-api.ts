import { Counter, type Registry } from 'prom-client';
import { ViberApiError, type ViberApi } from '../../shared/viber/api.js';

/** Viber's status of a call: "0" for success, its error status, or "unreachable" when no Viber answer came. */
const statusOf = (error: unknown): string => (error instanceof ViberApiError && error.status !== undefined ? String(error.status) : 'unreachable');

/**
 * Counts send_message calls by Viber's status, so a rise of 12 (too many requests) or of
 * permanent refusals shows on a dashboard before customers notice.
 */
export function meteredViberApi(api: ViberApi, registry: Registry): ViberApi {
  const calls = new Counter({ name: 'energobot_viber_api_calls_total', help: 'Viber send_message calls by Viber status (0 = ok, unreachable = no answer)', labelNames: ['status'], registers: [registry] });
  return {
    ...api,
    async sendMessage(message) {
      try {
        await api.sendMessage(message);
        calls.inc({ status: '0' });
      } catch (error) {
        calls.inc({ status: statusOf(error) });
        throw error;
      }
    },
  };
}
