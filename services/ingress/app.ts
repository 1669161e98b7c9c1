import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { ChatEventKind, type ChatEvent } from '../../shared/chat-event.js';
import { chatTag, type Logger } from '../../shared/logger.js';
import { welcomeReply } from '../../machines/chat.machine.js';
import { parseExactJson } from '../../shared/viber/exact-json.js';
import { renderViberMessage, type ViberSender } from '../../shared/viber/render.js';
import { isValidViberSignature, SIGNATURE_HEADER } from '../../shared/viber/signature.js';
import { readViberCallback } from '../../shared/viber/callback-fields.js';
import { isReceipt, MalformedCallbackError, toChatEvent } from '../../shared/viber/to-chat-event.js';
import { PAYMENT_SIGNATURE_HEADER } from '../../shared/ports/payments.js';
import { PaymentNoticeError, readPaymentNotice } from '../../shared/payment-notice.js';
import { ChatRateLimiter } from './rate-limit.js';
import { registerOpsRoutes, type OpsRoutesOptions } from '../../shared/ops-routes.js';
import { unmetered, type CallbackMeter, type CallbackSource } from './metrics.js';

/** The port through which ingress hands events to the workers. Resolves once the event is durable. */
export type PublishEvent = (event: ChatEvent, correlationId: string) => Promise<{ duplicate: boolean }>;

export interface IngressOptions {
  authToken: string;
  /** Shared with the payment provider, which signs its callbacks with it. */
  paymentSecret: string;
  sender: ViberSender;
  publish: PublishEvent;
  logger: Logger;
  /** Viber's callbacks are a few kilobytes; anything much larger is not from Viber. */
  bodyLimit?: number;
  /** Health and metrics routes: readiness checks and the registry. None: always ready, no metrics. */
  ops?: OpsRoutesOptions;
  /** Counts callbacks received and refused. */
  meter?: CallbackMeter;
  /** Events per chat that reach the bus; the default limit when not given. */
  rateLimiter?: ChatRateLimiter;
}

export const WEBHOOK_PATH = '/viber/webhook';
export const PAYMENT_CALLBACK_PATH = '/payments/callback';

const EMPTY_BODY = Buffer.alloc(0);

/**
 * The Viber webhook: checks the signature over the raw bytes before anything is parsed, turns the
 * callback into a channel-neutral chat event, and answers 200 only once JetStream has stored it,
 * so nothing Viber was told we have can be lost. When the bus cannot take it, Viber gets 503 and
 * sends the callback again.
 */
export function buildIngress(options: IngressOptions): FastifyInstance {
  const { authToken, sender, publish, logger } = options;
  const rateLimiter = options.rateLimiter ?? new ChatRateLimiter();
  const meter = options.meter ?? unmetered;
  // No per-request log lines: they would carry headers, the signature among them.
  const app = Fastify({ loggerInstance: logger as FastifyBaseLogger, bodyLimit: options.bodyLimit ?? 64 * 1024, logController: new LogController({ disableRequestLogging: true }) });

  // Fastify's own refusals (a body over the limit, an unreadable content type) keep a plain answer
  // that echoes nothing of the request; anything else is a bug, logged and answered 500.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send({ error: 'internal error' });
    }
    request.log.warn({ reason: error.code ?? 'client-error', status }, 'request refused');
    const source = sourceOf(request.routeOptions.url);
    if (source) meter.refused(source, status === 413 ? 'body-too-large' : 'unreadable');
    return status === 413 ? reply.code(413).send({ error: 'body too large' }) : reply.code(400).send({ error: 'unreadable request' });
  });

  // Keep the raw bytes: the signature is over them, and the ids in them exceed 2^53.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  registerOpsRoutes(app, options.ops ?? { registry: new Registry(), checks: [] });

  app.post(WEBHOOK_PATH, async (request, reply) => {
    // A request without a body has none to parse; its signature is checked over no bytes at all.
    meter.received('viber');
    const raw = Buffer.isBuffer(request.body) ? request.body : EMPTY_BODY;
    // A header sent twice arrives joined or as an array: never a valid signature.
    if (!isValidViberSignature(raw, request.headers[SIGNATURE_HEADER] as string | undefined, authToken)) {
      request.log.warn({ reason: 'bad-signature' }, 'callback refused');
      meter.refused('viber', 'bad-signature');
      return reply.code(403).send({ error: 'invalid signature' });
    }

    let event: ChatEvent | null;
    let welcome = false;
    try {
      const callback = readViberCallback(parseExactJson(raw.toString('utf8')));
      if (isReceipt(callback)) return reply.code(200).send({ status: 0 });
      event = toChatEvent(callback);
      welcome = callback.event === 'conversation_started';
    } catch (error) {
      const reason = error instanceof MalformedCallbackError ? error.message : 'body is not valid JSON';
      request.log.warn({ reason }, 'callback refused');
      meter.refused('viber', 'malformed');
      return reply.code(400).send({ error: reason });
    }
    if (event === null) {
      // A type Viber may add one day: acknowledged, so Viber does not resend it for an hour.
      request.log.info('callback of an unknown event type ignored');
      return reply.code(200).send({ status: 0 });
    }

    // The welcome is the answer to conversation_started itself, so it is never held back.
    const limited = event.kind !== ChatEventKind.Opened;
    if (limited && !rateLimiter.tryTake(event.chatId)) {
      // 200, or Viber would send it again and again; the chat's tag, never its id.
      request.log.warn({ chat: chatTag(event.chatId), kind: event.kind }, 'rate-limited');
      meter.refused('viber', 'rate-limited');
      return reply.code(200).send({ status: 0 });
    }

    const correlationId = randomUUID();
    const log = request.log.child({ correlationId, kind: event.kind });
    try {
      const { duplicate } = await publish(event, correlationId);
      // A callback stored before makes no new work: its token goes back.
      if (limited && duplicate) rateLimiter.refund(event.chatId);
      log.info({ duplicate }, 'callback accepted');
    } catch (error) {
      // Viber resends what got 503: the resend, not this attempt, should pay for the event.
      if (limited) rateLimiter.refund(event.chatId);
      log.error({ err: error }, 'could not publish; Viber will resend');
      meter.refused('viber', 'unavailable');
      return reply.code(503).send({ error: 'temporarily unavailable' });
    }
    // The welcome can only be the answer to conversation_started: the customer is not subscribed yet.
    return reply.code(200).send(welcome ? renderViberMessage(welcomeReply(), sender) : { status: 0 });
  });

  // The payment provider's signed notice becomes a chat event of the chat that asked for the link.
  app.post(PAYMENT_CALLBACK_PATH, async (request, reply) => {
    meter.received('payment');
    const raw = request.body;
    let event: ChatEvent;
    try {
      const notice = readPaymentNotice(Buffer.isBuffer(raw) ? raw : EMPTY_BODY, request.headers[PAYMENT_SIGNATURE_HEADER] as string | undefined, options.paymentSecret);
      // The notice id is the event id: the provider delivering the same notice again is stored once.
      event = { id: `payment:${notice.noticeId}`, channel: notice.channel, chatId: notice.chatId, at: Date.now(), kind: 'payment', orderId: notice.orderId, status: notice.status, account: notice.account, amount: notice.amount };
    } catch (error) {
      const refusal = error instanceof PaymentNoticeError ? error : new PaymentNoticeError('malformed', 'unreadable notice');
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

  return app;
}

/** Which callback a request was, by its route; undefined for any other route. */
function sourceOf(route: string | undefined): CallbackSource | undefined {
  if (route === WEBHOOK_PATH) return 'viber';
  if (route === PAYMENT_CALLBACK_PATH) return 'payment';
  return undefined;
}
