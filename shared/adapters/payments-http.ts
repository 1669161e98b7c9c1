import { PaymentUnavailableError, type PaymentLink, type PaymentProvider } from '../ports/payments.js';
import { isRecord } from '../contracts/is-record.js';
import { createJsonCaller, isSuccess, type HttpAdapterOptions } from './http-json.js';

/**
 * The payment provider over HTTP: POST {baseUrl}/payments (docs/external-apis.md). The provider
 * keys payments by our orderId, so asking twice for the same order gives the same link.
 */
export function createHttpPaymentProvider(options: HttpAdapterOptions): PaymentProvider {
  const http = createJsonCaller('payments', options, PaymentUnavailableError);
  return {
    async createPayment(request) {
      const { orderId, account, amount, description, chatId, channel } = request;
      const answer = await http.call('createPayment', 'POST', '/payments', {
        orderId,
        account,
        amount,
        description,
        chatId,
        channel,
      });
      const link = answer.body;
      // A link for another order, or one the customer's phone cannot open, is no link at all.
      if (!isSuccess(answer) || !isRecord(link) || link.orderId !== orderId || !isWebUrl(link.url))
        throw http.unexpected('createPayment', answer);
      return { orderId, url: link.url } satisfies PaymentLink;
    },
  };
}

function isWebUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const { protocol } = new URL(value);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}
