import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ChatEvent } from '../../shared/contracts/chat-event.js';
import { PAYMENT_SIGNATURE_HEADER } from '../../shared/ports/payments.js';
import { PaymentNoticeError, readPaymentNotice } from '../../shared/contracts/payment-notice.js';
import type { PublishEvent } from '../../shared/ports/publish-event.js';
import { EMPTY_BODY, PAYMENT_CALLBACK_PATH } from './paths.js';
import type { CallbackMeter } from './metrics.js';

/** The payment provider's signed notice becomes a chat event of the chat that asked for the link. */
export function registerPaymentCallback(
  app: FastifyInstance,
  options: { paymentSecret: string; publish: PublishEvent; meter: CallbackMeter },
): void {
  const { publish, meter } = options;
  app.post(PAYMENT_CALLBACK_PATH, async (request, reply) => {
    meter.received('payment');
    const raw = request.body;
    let event: ChatEvent;
    try {
      const notice = readPaymentNotice(
        Buffer.isBuffer(raw) ? raw : EMPTY_BODY,
        request.headers[PAYMENT_SIGNATURE_HEADER] as string | undefined,
        options.paymentSecret,
      );
      // The notice id is the event id: the provider delivering the same notice again is stored once.
      event = {
        id: `payment:${notice.noticeId}`,
        channel: notice.channel,
        chatId: notice.chatId,
        at: Date.now(),
        kind: 'payment',
        orderId: notice.orderId,
        status: notice.status,
        account: notice.account,
        amount: notice.amount,
      };
    } catch (error) {
      const refusal =
        error instanceof PaymentNoticeError ? error : new PaymentNoticeError('malformed', 'unreadable notice');
      request.log.warn({ reason: refusal.reason }, 'payment notice refused');
      meter.refused('payment', refusal.reason);
      return reply.code(refusal.reason === 'bad-signature' ? 403 : 400).send({ error: refusal.message });
    }
    const correlationId = randomUUID();
    try {
      const { duplicate } = await publish(event, correlationId);
      request.log.info({ correlationId, kind: event.kind, duplicate }, 'payment notice accepted');
      return reply.code(200).send({ status: 'ok' });
    } catch (error) {
      request.log.error({ correlationId, err: error }, 'could not publish the payment notice; the provider will retry');
      meter.refused('payment', 'unavailable');
      return reply.code(503).send({ error: 'temporarily unavailable' });
    }
  });
}
