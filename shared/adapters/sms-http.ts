import { SmsUnavailableError, type SmsGateway } from '../ports/sms.js';
import { createJsonCaller, isSuccess, type HttpAdapterOptions } from './http-json.js';

/**
 * The SMS gateway over HTTP: POST {baseUrl}/send (docs/external-apis.md). The gateway dedupes by
 * idempotency key, so a turn that runs again after a crash sends the code once.
 */
export function createHttpSmsGateway(options: HttpAdapterOptions): SmsGateway {
  const http = createJsonCaller('sms', options, SmsUnavailableError);
  return {
    async send({ phone, text, idempotencyKey }) {
      const answer = await http.call('send', 'POST', '/send', { phone, text, idempotencyKey });
      if (!isSuccess(answer)) throw http.unexpected('send', answer);
    },
  };
}
