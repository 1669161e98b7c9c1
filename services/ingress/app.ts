import { Registry } from 'prom-client';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from '../../shared/ops/logger.js';
import type { ViberSender } from '../../shared/viber/render.js';
import { ChatRateLimiter } from './rate-limit.js';
import { registerPaymentCallback } from './payment-callback.js';
import { registerViberWebhook } from './viber-webhook.js';
import { registerTelegramWebhook } from './telegram-webhook.js';
import { registerOpsRoutes, type OpsRoutesOptions } from '../../shared/ops/ops-routes.js';
import { unmetered, type CallbackMeter, type CallbackSource } from './metrics.js';

import type { PublishEvent } from '../../shared/ports/publish-event.js';
import { PAYMENT_CALLBACK_PATH, TELEGRAM_WEBHOOK_PATH, WEBHOOK_PATH } from './paths.js';

export { PAYMENT_CALLBACK_PATH, TELEGRAM_WEBHOOK_PATH, WEBHOOK_PATH } from './paths.js';
export type { PublishEvent } from '../../shared/ports/publish-event.js';

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
  /** The chat's chosen button colour, for the welcome; none: the default colour. */
  buttonColor?: (chatId: string) => Promise<string | undefined>;
  /** setWebhook's secret token: with it, Telegram's updates are taken too. */
  telegramSecret?: string;
}

/**
 * Ingress: the messengers' webhooks (Viber's; Telegram's when configured) and the payment
 * provider's callback (one file each), health and metrics. Bodies are kept raw, because the
 * signatures are over the raw bytes.
 */
export function buildIngress(options: IngressOptions): FastifyInstance {
  const { authToken, sender, publish, logger } = options;
  const rateLimiter = options.rateLimiter ?? new ChatRateLimiter();
  const meter = options.meter ?? unmetered;
  // No per-request log lines: they would carry headers, the signature among them.
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: options.bodyLimit ?? 64 * 1024,
    logController: new LogController({ disableRequestLogging: true }),
  });

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
    return status === 413
      ? reply.code(413).send({ error: 'body too large' })
      : reply.code(400).send({ error: 'unreadable request' });
  });

  // Keep the raw bytes: the signature is over them, and the ids in them exceed 2^53.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  registerOpsRoutes(app, options.ops ?? { registry: new Registry(), checks: [] });

  registerViberWebhook(app, { authToken, sender, publish, meter, rateLimiter, buttonColor: options.buttonColor });
  if (options.telegramSecret)
    registerTelegramWebhook(app, { secret: options.telegramSecret, publish, meter, rateLimiter });
  registerPaymentCallback(app, { paymentSecret: options.paymentSecret, publish, meter });

  return app;
}

/** Which callback a request was, by its route; undefined for any other route. */
function sourceOf(route: string | undefined): CallbackSource | undefined {
  if (route === WEBHOOK_PATH) return 'viber';
  if (route === TELEGRAM_WEBHOOK_PATH) return 'telegram';
  if (route === PAYMENT_CALLBACK_PATH) return 'payment';
  return undefined;
}
