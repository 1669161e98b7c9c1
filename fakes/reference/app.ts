import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Db } from 'mongodb';
import type { Logger } from '../../shared/ops/logger.js';
import { billingRoutes } from './billing-routes.js';
import { createBillingStore } from './billing-store.js';
import { seedDemoAccounts } from './demo-accounts.js';
import { registerFaults } from './faults.js';
import { createNoticeDelivery } from './notice-delivery.js';
import { createPaymentOrders } from './payment-orders.js';
import { paymentApiRoutes, paymentPageRoutes } from './payments.js';
import { createSmsOutbox, smsRoutes } from './sms-outbox.js';

export interface ReferenceOptions {
  /** Where billing, the SMS outbox and payment orders are kept. */
  db: Db;
  logger: Logger;
  /** Where a customer's browser reaches this service: payment links start with it. */
  publicUrl: string;
  /** Shared with ingress: it signs the payment notices. */
  paymentSecret: string;
  /** Ingress's POST /payments/callback. */
  callbackUrl: string;
  /** Waits before each retry of a payment notice that got no 2xx. */
  noticeRetryDelaysMs?: readonly number[];
  /** The billing's clock: which month is "current", which day of the month it is. */
  now?: () => Date;
}

/**
 * The systems outside the bot, as one local service: billing under /billing, the SMS gateway
 * under /sms, the payment provider's API under /payments and its page under /pay, and fault
 * switches under /_reference/faults. Indexes and demo accounts are put in place when the app
 * gets ready (listen() or ready()).
 */
export function buildReferenceSystems(options: ReferenceOptions): FastifyInstance {
  const { db, logger, now = () => new Date() } = options;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // No per-request lines: their URLs carry account numbers and order ids.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
  });

  const billing = createBillingStore(db, now);
  const outbox = createSmsOutbox(db);
  const orders = createPaymentOrders(db);
  const delivery = createNoticeDelivery({
    callbackUrl: options.callbackUrl,
    secret: options.paymentSecret,
    logger,
    retryDelaysMs: options.noticeRetryDelaysMs,
  });

  app.addHook('onReady', async () => {
    await Promise.all([billing.prepare(), outbox.prepare()]);
    await seedDemoAccounts(billing, now());
  });
  app.addHook('onClose', async () => delivery.close());

  // Errors are logged with the route pattern, not the URL, which carries account numbers.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error(
        { route: request.routeOptions.url, error: { name: error.name, code: error.code } },
        'request failed',
      );
      request.log.debug({ err: error }, 'request failed: details');
      return reply.code(status).send({ error: 'internal error' });
    }
    return reply.code(status).send({ error: error.message });
  });

  app.get('/', async () => ({
    billing: '/billing',
    sms: '/sms/send',
    smsOutbox: '/sms/outbox?after=0',
    payments: '/payments/payments',
    paymentPage: '/pay/:orderId',
    faults: '/_reference/faults',
  }));
  app.get('/health', async () => ({ status: 'ok' }));

  const faults = registerFaults(app);
  app.register(billingRoutes(billing, faults), { prefix: '/billing' });
  app.register(smsRoutes(outbox, faults), { prefix: '/sms' });
  app.register(paymentApiRoutes(orders, options.publicUrl), { prefix: '/payments' });
  app.register(paymentPageRoutes(orders, delivery, faults), { prefix: '/pay' });

  return app;
}
