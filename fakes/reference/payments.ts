import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PaymentStatus } from '../../shared/ports/payments.js';
import type { Faults } from './faults.js';
import type { NoticeDelivery } from './notice-delivery.js';
import { isFinished, toNotice, type PaymentOrders } from './payment-orders.js';
import { orderNotFoundPage, parseRubles, paymentFormPage, paymentResultPage } from './payment-page.js';
import { isRecord } from '../../shared/contracts/is-record.js';
import { isId, isKopecks } from './validate.js';
import { isChannel } from '../../shared/contracts/channel.js';

/**
 * The reference payment provider: the API that makes a payment link (under /payments) and the
 * page the link opens (under /pay), which finishes the order and calls the bot back.
 */

const MAX_DESCRIPTION_LENGTH = 500;

/** POST /payments: the same orderId again gives the same link, never a second payment. */
export function paymentApiRoutes(orders: PaymentOrders, publicUrl: string) {
  const linkFor = (orderId: string) => `${publicUrl.replace(/\/+$/, '')}/pay/${encodeURIComponent(orderId)}`;
  return async (app: FastifyInstance) => {
    app.post('/payments', async (request, reply) => {
      const body = request.body;
      if (
        !isRecord(body) ||
        !isId(body.orderId) ||
        !isId(body.account, 64) ||
        !isKopecks(body.amount) ||
        !isId(body.description, MAX_DESCRIPTION_LENGTH) ||
        !isId(body.chatId) ||
        !isChannel(body.channel)
      ) {
        return reply.code(400).send({
          error: 'expected {orderId, account, amount: kopecks, description, chatId, channel: "viber" | "telegram"}',
        });
      }
      const { orderId, account, amount, description, chatId, channel } = body;
      const order = await orders.create({ orderId, account, amount, description, chatId, channel });
      return { orderId: order._id, url: linkFor(order._id) };
    });
  };
}

const sendPage = (reply: FastifyReply, status: number, html: string) =>
  reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    // No scripts, no frames, and the form posts only back here.
    .header(
      'content-security-policy',
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    )
    .send(html);

type OrderRequest = FastifyRequest<{ Params: { orderId: string } }>;

/** GET and POST /pay/:orderId: the page, and its «Оплатить» / «Отменить». */
export function paymentPageRoutes(orders: PaymentOrders, delivery: NoticeDelivery, faults: Faults) {
  return async (app: FastifyInstance) => {
    // The page's form; parsed here rather than with a plugin, and only in this scope.
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 4096 },
      (_request, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(body as string)));
      },
    );

    const orderOf = (request: OrderRequest) =>
      isId(request.params.orderId) ? orders.find(request.params.orderId) : Promise.resolve(null);

    app.get('/:orderId', async (request: OrderRequest, reply) => {
      const order = await orderOf(request);
      if (!order) return sendPage(reply, 404, orderNotFoundPage());
      return sendPage(reply, 200, paymentResultPage(order));
    });

    app.post('/:orderId', async (request: OrderRequest, reply) => {
      const order = await orderOf(request);
      if (!order) return sendPage(reply, 404, orderNotFoundPage());
      // A page submitted again (back button, double click) shows the outcome and sends nothing.
      if (isFinished(order)) return sendPage(reply, 200, paymentResultPage(order));

      const form = isRecord(request.body) ? request.body : {};
      const entered = typeof form.amount === 'string' ? form.amount : '';
      let status: PaymentStatus;
      let paid = 0;
      if (form.action === 'cancel') {
        status = PaymentStatus.Cancelled;
      } else if (form.action === 'pay') {
        const amount = parseRubles(entered);
        if (amount === null || amount <= 0) {
          const error =
            amount === null ? 'Введите сумму в рублях, например 1500 или 1500,50.' : 'Сумма должна быть больше нуля.';
          return sendPage(reply, 400, paymentFormPage(order, { error, entered }));
        }
        status = faults.state.payments === 'decline' ? PaymentStatus.Failed : PaymentStatus.Succeeded;
        if (status === PaymentStatus.Succeeded) paid = amount;
      } else {
        return sendPage(reply, 400, paymentFormPage(order, { error: 'Нажмите «Оплатить» или «Отменить».', entered }));
      }

      const finished = await orders.finish(order._id, status, paid);
      if (!finished) {
        // Another submit of this page finished the order first, and told the bot.
        const settled = await orders.find(order._id);
        return sendPage(reply, 200, paymentResultPage(settled ?? order));
      }
      request.log.info({ orderId: finished._id, status }, 'payment finished');
      await delivery.deliver(toNotice(finished));
      return sendPage(reply, 200, paymentResultPage(finished));
    });
  };
}
