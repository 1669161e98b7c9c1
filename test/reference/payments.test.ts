import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createHttpPaymentProvider } from '../../shared/adapters/payments-http.js';
import { readPaymentNotice } from '../../shared/contracts/payment-notice.js';
import {
  PAYMENT_SIGNATURE_HEADER,
  PaymentUnavailableError,
  type PaymentProvider,
  type PaymentRequest,
} from '../../shared/ports/payments.js';
import { eventually } from '../harness/infra.js';
import { PAYMENT_SECRET, setFaults, startReference, type RunningReference } from './reference-app.js';

const PUBLIC_URL = 'http://pay.example.test:8070';

/** Ingress's POST /payments/callback, as far as the provider can tell: records what it gets. */
function startCallbackReceiver() {
  const received: { signature: string | undefined; raw: Buffer }[] = [];
  /** Statuses for the next callbacks; 200 once they run out. */
  const answers: number[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        signature: request.headers[PAYMENT_SIGNATURE_HEADER] as string | undefined,
        raw: Buffer.concat(chunks),
      });
      response.writeHead(answers.shift() ?? 200).end();
    });
  });
  return {
    received,
    answers,
    listen: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () =>
          resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/payments/callback`),
        ),
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('reference payment provider through the HTTP payments adapter', () => {
  const receiver = startCallbackReceiver();
  let reference: RunningReference;
  let provider: PaymentProvider;

  const request = (overrides: Partial<PaymentRequest> = {}): PaymentRequest => ({
    orderId: `order-${randomUUID()}`,
    account: 'инзб12345678',
    amount: 264285,
    description: 'Оплата по лицевому счёту инзб12345678',
    chatId: `chat-${randomUUID()}`,
    channel: 'viber',
    ...overrides,
  });
  /** The page of a payment link, fetched from the running service. */
  const pageOf = (url: string) => `${reference.url}${new URL(url).pathname}`;
  const submit = (url: string, form: Record<string, string>) =>
    fetch(pageOf(url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  const notices = () =>
    receiver.received.map(({ raw, signature }) => readPaymentNotice(raw, signature, PAYMENT_SECRET));

  beforeAll(async () => {
    const callbackUrl = await receiver.listen();
    reference = await startReference({ publicUrl: PUBLIC_URL, callbackUrl, noticeRetryDelaysMs: [20, 20, 20, 20, 20] });
    provider = createHttpPaymentProvider({ baseUrl: `${reference.url}/payments`, timeoutMs: 5_000 });
  });
  afterAll(async () => {
    await reference?.stop();
    await receiver.close();
  });
  beforeEach(() => {
    receiver.received.length = 0;
    receiver.answers.length = 0;
  });

  test('a link per order: the same orderId again is the same link, not a second payment', async () => {
    const order = request();
    const link = await provider.createPayment(order);
    expect(link).toEqual({ orderId: order.orderId, url: `${PUBLIC_URL}/pay/${order.orderId}` });
    expect(await provider.createPayment({ ...order, amount: 1 })).toEqual(link);
    expect(await (await fetch(pageOf(link.url))).text()).toContain('value="2642.85"');
  });

  test('the page shows the account, the description and the amount, editable', async () => {
    const link = await provider.createPayment(request({ description: 'Оплата <script>alert(1)</script> & «кавычки»' }));
    const response = await fetch(pageOf(link.url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await response.text();
    for (const text of [
      'инзб12345678',
      '<input id="amount" name="amount"',
      'value="2642.85"',
      'Оплатить',
      'Отменить',
      'Демо-эквайринг',
    ])
      expect(html).toContain(text);
    expect(html).toContain('Оплата &lt;script&gt;alert(1)&lt;/script&gt; &amp; «кавычки»');
    expect(html).not.toContain('<script>');

    const missing = await fetch(`${reference.url}/pay/no-such-order`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('Заказ не найден');
  });

  test('«Оплатить» records the payment, calls the bot back with a signed notice, and does it once', async () => {
    const order = request();
    const link = await provider.createPayment(order);
    const paid = await submit(link.url, { action: 'pay', amount: '1 000,50' });
    expect(paid.status).toBe(200);
    expect(await paid.text()).toContain('Платеж выполнен успешно');

    expect(receiver.received).toHaveLength(1);
    expect(notices()).toEqual([
      {
        orderId: order.orderId,
        status: 'succeeded',
        account: order.account,
        amount: 100050,
        chatId: order.chatId,
        channel: 'viber',
        noticeId: `${order.orderId}:succeeded`,
      },
    ]);

    // The page again (back button, a second click): its outcome, and nothing sent again.
    const again = await submit(link.url, { action: 'cancel' });
    expect(await again.text()).toContain('Платеж выполнен успешно');
    expect(await (await fetch(pageOf(link.url))).text()).toContain('Платеж выполнен успешно');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.received).toHaveLength(1);
  });

  test('a page submitted many times at once finishes the order once and sends one notice', async () => {
    const order = request();
    const link = await provider.createPayment(order);
    const pages = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        submit(link.url, index % 2 ? { action: 'cancel' } : { action: 'pay', amount: '10' }),
      ),
    );
    const outcomes = new Set(
      await Promise.all(
        pages.map(async (page) =>
          (await page.text()).includes('Платеж выполнен успешно') ? 'succeeded' : 'cancelled',
        ),
      ),
    );
    expect(outcomes.size).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(notices()).toMatchObject([{ orderId: order.orderId, status: [...outcomes][0] }]);
  });

  test('«Отменить» ends the order as cancelled, with nothing paid', async () => {
    const order = request();
    const link = await provider.createPayment(order);
    expect(await (await submit(link.url, { action: 'cancel', amount: '2642.85' })).text()).toContain('Платёж отменён');
    expect(notices()).toMatchObject([
      { orderId: order.orderId, status: 'cancelled', amount: 0, noticeId: `${order.orderId}:cancelled` },
    ]);
  });

  test('an amount that is not a positive number of rubles shows the page again, and nothing is sent', async () => {
    const link = await provider.createPayment(request());
    for (const amount of ['abc', '0', '0,00', '-5', '12.345', '']) {
      const response = await submit(link.url, { action: 'pay', amount });
      expect(response.status, amount).toBe(400);
      const html = await response.text();
      expect(html).toContain('class="error"');
      expect(html).toContain('Оплатить');
    }
    expect((await submit(link.url, { action: 'refund', amount: '10' })).status).toBe(400);
    expect(receiver.received).toHaveLength(0);
    expect(await (await submit(link.url, { action: 'pay', amount: '2642.85' })).text()).toContain(
      'Платеж выполнен успешно',
    );
  });

  test('a callback that is not answered 2xx is sent again in the background, the same notice each time', async () => {
    receiver.answers.push(503, 500);
    const order = request();
    const link = await provider.createPayment(order);
    expect(await (await submit(link.url, { action: 'pay', amount: '100' })).text()).toContain(
      'Платеж выполнен успешно',
    );
    await eventually(() => (receiver.received.length >= 3 ? true : undefined), 'three deliveries');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.received).toHaveLength(3);
    const [first, ...repeats] = notices();
    expect(first).toMatchObject({ orderId: order.orderId, status: 'succeeded', amount: 10000 });
    expect(repeats).toEqual([first, first]);
  });

  test('with payments set to decline, «Оплатить» ends as failed', async () => {
    await setFaults(reference.url, { payments: 'decline' });
    try {
      const order = request();
      const link = await provider.createPayment(order);
      expect(await (await submit(link.url, { action: 'pay', amount: '50' })).text()).toContain('Платёж отклонён');
      expect(notices()).toMatchObject([{ orderId: order.orderId, status: 'failed', amount: 0 }]);
    } finally {
      await setFaults(reference.url, { payments: 'up' });
    }
  });

  test('a refused request and an unreachable provider are PaymentUnavailableError', async () => {
    await expect(provider.createPayment(request({ amount: -1 }))).rejects.toThrow(
      'payments createPayment: answered 400',
    );
    const nowhere = createHttpPaymentProvider({ baseUrl: 'http://127.0.0.1:1/payments', timeoutMs: 2_000 });
    await expect(nowhere.createPayment(request())).rejects.toThrow(PaymentUnavailableError);
  });
});
