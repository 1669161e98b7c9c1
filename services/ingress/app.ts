import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { ChatEvent } from '../../shared/chat-event.js';
import type { Logger } from '../../shared/logger.js';
import { welcomeReply } from '../../machines/chat.machine.js';
import { parseExactJson } from '../../shared/viber/exact-json.js';
import { renderViberMessage, type ViberSender } from '../../shared/viber/render.js';
import { isValidViberSignature, SIGNATURE_HEADER } from '../../shared/viber/signature.js';
import { isReceipt, MalformedCallbackError, readCallback, toChatEvent } from '../../shared/viber/to-chat-event.js';

/** The port through which ingress hands events to the workers. Resolves once the event is durable. */
export type PublishEvent = (event: ChatEvent, correlationId: string) => Promise<{ duplicate: boolean }>;

export interface IngressOptions {
  authToken: string;
  sender: ViberSender;
  publish: PublishEvent;
  logger: Logger;
  /** Viber's callbacks are a few kilobytes; anything much larger is not from Viber. */
  bodyLimit?: number;
  /** Tells readiness whether the bus is connected. */
  isBusReady?: () => boolean;
}

export const WEBHOOK_PATH = '/viber/webhook';

/**
 * The Viber webhook: checks the signature over the raw bytes before anything is parsed, turns the
 * callback into a channel-neutral chat event, and answers 200 only once JetStream has stored it,
 * so nothing Viber was told we have can be lost. When the bus cannot take it, Viber gets 503 and
 * sends the callback again.
 */
export function buildIngress(options: IngressOptions): FastifyInstance {
  const { authToken, sender, publish, logger } = options;
  const app = Fastify({ loggerInstance: logger as FastifyBaseLogger, bodyLimit: options.bodyLimit ?? 64 * 1024, disableRequestLogging: true });

  // Keep the raw bytes: the signature is over them, and the ids in them exceed 2^53.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/health/ready', async (_req, reply) => {
    const ready = options.isBusReady?.() ?? true;
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ok' : 'bus unavailable' });
  });

  app.post(WEBHOOK_PATH, async (request, reply) => {
    const raw = request.body;
    if (!Buffer.isBuffer(raw) || !isValidViberSignature(raw, request.headers[SIGNATURE_HEADER] as string | undefined, authToken)) {
      request.log.warn({ reason: 'bad-signature' }, 'callback refused');
      return reply.code(403).send({ error: 'invalid signature' });
    }

    let event: ChatEvent | null;
    let welcome = false;
    try {
      const callback = readCallback(parseExactJson(raw.toString('utf8')));
      if (isReceipt(callback)) return reply.code(200).send({ status: 0 });
      event = toChatEvent(callback);
      welcome = callback.event === 'conversation_started';
    } catch (error) {
      const reason = error instanceof MalformedCallbackError ? error.message : 'body is not valid JSON';
      request.log.warn({ reason }, 'callback refused');
      return reply.code(400).send({ error: reason });
    }
    if (event === null) {
      // A type Viber may add one day: acknowledged, so Viber does not resend it for an hour.
      request.log.info('callback of an unknown event type ignored');
      return reply.code(200).send({ status: 0 });
    }

    const correlationId = randomUUID();
    const log = request.log.child({ correlationId, kind: event.kind });
    try {
      const { duplicate } = await publish(event, correlationId);
      log.info({ duplicate }, 'callback accepted');
    } catch (error) {
      log.error({ err: error }, 'could not publish; Viber will resend');
      return reply.code(503).send({ error: 'temporarily unavailable' });
    }
    // The welcome can only be the answer to conversation_started: the customer is not subscribed yet.
    return reply.code(200).send(welcome ? renderViberMessage(welcomeReply(), sender) : { status: 0 });
  });

  return app;
}
