import type { FastifyInstance } from 'fastify';
import { welcomeReply } from '../../machines/chat.machine.js';
import { renderViberMessage, type ViberSender } from '../../shared/viber/render.js';
import { SIGNATURE_HEADER } from '../../shared/viber/signature.js';
import { readViberCallback } from '../../shared/viber/read-callback.js';
import type { PublishEvent } from '../../shared/ports/publish-event.js';
import { EMPTY_BODY, WEBHOOK_PATH } from './paths.js';
import type { CallbackMeter } from './metrics.js';
import type { ChatRateLimiter } from './rate-limit.js';
import { admitEvent } from './admit-event.js';

/**
 * The Viber webhook: checks the signature over the raw bytes before anything is parsed, turns the
 * callback into a channel-neutral chat event, and answers 200 only once JetStream has stored it,
 * so nothing Viber was told we have can be lost. When the bus cannot take it, Viber gets 503 and
 * sends the callback again.
 */
export function registerViberWebhook(
  app: FastifyInstance,
  options: {
    authToken: string;
    sender: ViberSender;
    publish: PublishEvent;
    meter: CallbackMeter;
    rateLimiter: ChatRateLimiter;
    /** The chat's chosen button colour for the welcome, if it has one. */
    buttonColor?: (chatId: string) => Promise<string | undefined>;
  },
): void {
  const { authToken, sender, publish, meter, rateLimiter } = options;
  app.post(WEBHOOK_PATH, async (request, reply) => {
    meter.received('viber');
    const raw = Buffer.isBuffer(request.body) ? request.body : EMPTY_BODY;
    // A header sent twice arrives joined or as an array: never a valid signature.
    const reading = readViberCallback(raw, request.headers[SIGNATURE_HEADER] as string | undefined, authToken);
    if (!reading.ok) {
      request.log.warn(
        { reason: reading.reason === 'malformed' ? reading.detail : reading.reason },
        'callback refused',
      );
      meter.refused('viber', reading.reason);
      return reply.code(reading.reason === 'bad-signature' ? 403 : 400).send({ error: reading.detail });
    }
    if (reading.event === null) {
      // A type Viber may add one day: acknowledged, so Viber does not resend it for an hour.
      if (reading.ignored === 'unknown-event') request.log.info('callback of an unknown event type ignored');
      return reply.code(200).send({ status: 0 });
    }
    const { event, welcome } = reading;
    // The welcome's colour is read while the event is published, not after it; the default will do.
    const color = welcome ? options.buttonColor?.(event.chatId).catch(() => undefined) : undefined;
    const admission = await admitEvent({ publish, meter, rateLimiter }, 'viber', event, request.log);
    if (admission === 'unavailable') return reply.code(503).send({ error: 'temporarily unavailable' });
    if (!welcome) return reply.code(200).send({ status: 0 });
    // The welcome can only be the answer to conversation_started: the customer is not subscribed yet.
    return reply.code(200).send(renderViberMessage(welcomeReply(await color), sender));
  });
}
