import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { Texts } from '../../machines/texts.js';
import { eventually } from '../harness/infra.js';
import { signPaymentNotice } from '../../shared/contracts/payment-notice.js';
import { PAYMENT_SIGNATURE_HEADER } from '../../shared/ports/payments.js';
import { suiteStack } from '../harness/suite-stack.js';
import { conversation, lastSmsCode, payOnPage } from '../harness/conversation.js';

const AUTH_TOKEN = 'e2e-dialogue-token';

/**
 * The manual's two main journeys over the whole running stack: ingress, NATS, worker, outbound,
 * the fake Viber API and the reference billing, SMS gateway and payment provider over HTTP.
 */
describe('a customer passes a meter reading and pays, end to end', () => {
  const { stack } = suiteStack({ authToken: AUTH_TOKEN });

  const lastSms = () => lastSmsCode(stack);

  test(
    '«Передать показания»: SMS identification, ' + 'day and night readings, «Показание принято», stored in billing',
    async () => {
      const customer = conversation(stack, `u-${randomUUID()}`, AUTH_TOKEN);
      await customer.say('Начать');
      expect(customer.texts(await customer.say('Передать показания'))).toEqual([Texts.identify.introFor('readings')]);
      expect(customer.texts(await customer.say('Запросить СМС код'))).toEqual([Texts.identify.askAccount]);
      const askPhone = await customer.say('инзб12345678');
      expect(customer.buttons(askPhone)[0]).toMatchObject({ ActionType: 'share-phone' });
      expect(askPhone.at(-1)!.body.min_api_version).toBe(3);
      expect(customer.texts(await customer.shareContact('+79001234567'))).toEqual([
        Texts.identify.codeSent('+7 ••• •••-45-67'),
      ]);

      const linked = await customer.say(await lastSms());
      expect(customer.texts(linked)).toEqual([Texts.identify.linked('инзб12345678'), Texts.accounts.choose]);
      expect(customer.buttons(await customer.say('инзб12345678')).map((b) => b.Text)).toEqual([
        'Электроэнергия',
        'Отопление',
        'Горячее водоснабжение',
        'Назад',
        'В меню',
      ]);
      const meters = await customer.say('Электроэнергия');
      const meterButton = customer.buttons(meters)[0]!.ActionBody;
      const dayPrompt = customer.texts(await customer.say(meterButton))[0]!;
      const previousDay = Number(dayPrompt.match(/\(день\): ([\d\s\u00a0]+) кВт·ч/)![1]!.replace(/\D/g, ''));
      const nightPrompt = customer.texts(await customer.say(String(previousDay + 120)))[0]!;
      const previousNight = Number(nightPrompt.match(/\(ночь\): ([\d\s\u00a0]+) кВт·ч/)![1]!.replace(/\D/g, ''));
      const summary = customer.texts(await customer.say(String(previousNight + 60)))[0]!;
      expect(summary).toContain('расход 120 кВт·ч');
      expect(summary).toContain('расход 60 кВт·ч');
      const accepted = await customer.say('Отправить');
      expect(customer.texts(accepted)).toEqual([Texts.readings.accepted]);

      const history = (await (
        await fetch(
          `${stack.referenceUrl}/billing/accounts/${encodeURIComponent('инзб12345678')}` +
            `/meters/m-12345678-el/history?limit=1`,
        )
      ).json()) as { values: Record<string, number> }[];
      expect(history[0]!.values).toEqual({ day: previousDay + 120, night: previousNight + 60 });
    },
  );

  test(
    '«Оплатить картой»: amount due, the payment page (the provider’s «Платеж выполнен успешно»), ' +
      'and «Платёж выполнен успешно» in the chat',
    async () => {
      const customer = conversation(stack, `u-${randomUUID()}`, AUTH_TOKEN);
      await customer.say('Начать');
      await customer.say('Оплатить');
      await customer.say('Оплатить картой');
      await customer.say('Запросить СМС код');
      await customer.say('инзб12345678');
      await customer.shareContact('+79001234567');
      await customer.say(await lastSms());
      const due = await customer.say('инзб12345678');
      expect(customer.texts(due)[0]).toContain('К оплате: 2\u00a0642,85 ₽');
      const link = customer.buttons(due)[0]!;
      expect(link).toMatchObject({ ActionType: 'open-url', Text: 'Перейти к оплате' });

      const page = await fetch(link.ActionBody);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('2642.85');
      expect(await payOnPage(link.ActionBody, '1500.00')).toContain('Платеж выполнен успешно');

      const notice = await customer.replies();
      expect(customer.texts(notice)).toEqual([Texts.payment.succeeded('инзб12345678', '1\u00a0500,00 ₽')]);
      // The link's order is paid: its button goes, the menu comes.
      expect(customer.buttons(notice)).toHaveLength(7);
    },
  );

  test('a declined card: the chat names the amount offered, never 0,00 ₽, and offers a fresh order', async () => {
    const customer = conversation(stack, `u-${randomUUID()}`, AUTH_TOKEN);
    await customer.say('Начать');
    await customer.say('Оплатить');
    expect(customer.texts(await customer.say('Оплатить картой'))).toEqual([Texts.identify.introFor('payment')]);
    await customer.say('Запросить СМС код');
    await customer.say('инзб12345678');
    await customer.shareContact('+79001234567');
    await customer.say(await lastSms());
    const link = customer.buttons(await customer.say('ИНЗБ12345678'))[0]!;
    const faults = (state: 'decline' | 'up') =>
      fetch(`${stack.referenceUrl}/_reference/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ payments: state }),
      });
    await faults('decline');
    try {
      expect(await payOnPage(link.ActionBody, '2642.85')).toContain('Платёж отклонён');
    } finally {
      await faults('up');
    }
    const notice = await customer.replies();
    expect(customer.texts(notice)).toEqual([Texts.payment.failed('инзб12345678', { due: '2\u00a0642,85 ₽' })]);
    expect(customer.texts(notice)[0]).not.toContain('0,00');
    expect(customer.buttons(notice).map((b) => b.Text)).toEqual(['Оплатить ещё раз', 'В меню']);
    const again = await customer.say('Оплатить ещё раз');
    const fresh = customer.buttons(again)[0]!;
    expect(fresh).toMatchObject({ ActionType: 'open-url', Text: 'Перейти к оплате' });
    expect(fresh.ActionBody).not.toBe(link.ActionBody);
  });

  test('a correctly signed notice for an order the bot never made is told to nobody', async () => {
    const customer = conversation(stack, `u-${randomUUID()}`, AUTH_TOKEN);
    await customer.say('Начать');
    const body = JSON.stringify({
      orderId: 'not-ours',
      status: 'succeeded',
      account: 'инзб12345678',
      amount: 100,
      chatId: customer.chatId,
      channel: 'viber',
      noticeId: 'not-ours:succeeded',
    });
    const answer = await fetch(`${stack.ingressUrl}/payments/callback`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [PAYMENT_SIGNATURE_HEADER]: signPaymentNotice(body, stack.env.PAYMENT_SECRET!),
      },
      body,
    });
    expect(answer.status).toBe(200);
    const worker = stack.services.find((s) => s.name === 'worker')!;
    await eventually(
      () =>
        worker.logs.some((l) => l.msg === 'payment notice refused' && l.reason === 'unknown-order') ? true : undefined,
      'the refusal',
    );
    await expect(customer.replies(1_000)).rejects.toThrow(/no reply/);
  });

  test('a billing outage gets a clear «try later» and the chat stays usable', async () => {
    const customer = conversation(stack, `u-${randomUUID()}`, AUTH_TOKEN);
    await customer.say('Начать');
    await customer.say('Передать показания');
    await customer.say('Запросить СМС код');
    await fetch(`${stack.referenceUrl}/_reference/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ billing: 'down' }),
    });
    try {
      expect(customer.texts(await customer.say('инзб12345678'))).toEqual([Texts.unavailable]);
    } finally {
      await fetch(`${stack.referenceUrl}/_reference/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ billing: 'up' }),
      });
    }
    expect(customer.buttons(await customer.say('Начать')).length).toBe(7);
  });
});
