import { randomInt } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { Buttons, MENU_ITEMS, MenuItem, Texts } from '../../machines/texts.js';
import { connectBus } from '../../shared/bus/bus.js';
import { publishReminderTick } from '../../shared/bus/reminder-bus.js';
import { natsUrl, testLogger } from '../harness/infra.js';
import { suiteStack } from '../harness/suite-stack.js';
import { lastSmsCode, payOnPage } from '../harness/conversation.js';
import { telegramConversation } from '../harness/telegram-conversation.js';
import { TelegramUpdates } from '../../fakes/telegram/updates.js';

const newUser = () => randomInt(1_000_000, 2_000_000_000);

/**
 * The manual's journeys on Telegram, over the whole running stack: the Telegram webhook on
 * ingress, NATS, two workers, outbound, the fake Telegram Bot API, and the reference billing,
 * SMS gateway and payment provider over HTTP. The same machines and texts as on Viber.
 */
describe('a Telegram customer, end to end', () => {
  const { stack } = suiteStack({ authToken: 'e2e-telegram-viber-token', telegram: true, workers: 2 });

  async function identified(flowItems: string[]) {
    const customer = telegramConversation(stack, newUser());
    await customer.start('qr');
    await customer.say('Начать');
    for (const item of flowItems) await customer.say(item);
    await customer.say('Запросить СМС код');
    const askPhone = await customer.say('инзб12345678');
    expect(customer.keyboard(askPhone)[0]![0]).toEqual({ text: 'Поделиться номером телефона', request_contact: true });
    expect(customer.texts(await customer.shareContact('+79001234567'))).toEqual([
      Texts.identify.codeSent('+7 ••• •••-45-67'),
    ]);
    expect(customer.texts(await customer.say(await lastSmsCode(stack)))[0]).toBe(Texts.identify.linked('инзб12345678'));
    return customer;
  }

  test('/start: the welcome comes as a message of its own, with «Начать» under the input', async () => {
    const customer = telegramConversation(stack, newUser());
    const welcome = await customer.start();
    expect(customer.texts(welcome)).toEqual([Texts.welcome]);
    expect(customer.buttons(welcome)).toEqual(['Начать']);
    const menu = await customer.say('Начать');
    expect(customer.buttons(menu)).toEqual(MENU_ITEMS);
    // The seven items in rows as the dialogue lays them out, no colours: Telegram draws its own.
    expect(JSON.stringify(menu)).not.toMatch(/#[0-9A-Fa-f]{6}/);
  });

  test('«Передать показания»: identification by a shared contact and SMS, readings stored in billing', async () => {
    const customer = await identified(['Передать показания']);
    await customer.say('инзб12345678');
    const meters = await customer.say('Электроэнергия');
    const meter = customer.buttons(meters)[0]!;
    const dayPrompt = customer.texts(await customer.say(meter))[0]!;
    const previousDay = Number(dayPrompt.match(/\(день\): ([\d\s\u00a0]+) кВт·ч/)![1]!.replace(/\D/g, ''));
    const nightPrompt = customer.texts(await customer.say(String(previousDay + 7)))[0]!;
    const previousNight = Number(nightPrompt.match(/\(ночь\): ([\d\s\u00a0]+) кВт·ч/)![1]!.replace(/\D/g, ''));
    await customer.say(String(previousNight + 3));
    expect(customer.texts(await customer.say('Отправить'))).toEqual([Texts.readings.accepted]);
    const account = encodeURIComponent('инзб12345678');
    const historyUrl = `${stack.referenceUrl}/billing/accounts/${account}/meters/m-12345678-el/history?limit=1`;
    const history = (await (await fetch(historyUrl)).json()) as { values: Record<string, number> }[];
    expect(history[0]!.values).toEqual({ day: previousDay + 7, night: previousNight + 3 });
  });

  test('«Оплатить картой»: the link as an inline button, the provider’s callback told in the chat', async () => {
    const customer = await identified(['Оплатить', 'Оплатить картой']);
    const due = await customer.say('инзб12345678');
    expect(customer.texts(due)[0]).toContain('К оплате: 2\u00a0642,85 ₽');
    const link = customer.links(due)[0]!;
    expect(link.text).toBe('Перейти к оплате');
    // The link goes under the message; the answer buttons come with a second message, under the input.
    expect(customer.texts(due).at(-1)).toBe(Texts.keyboardPrompt);
    expect(customer.buttons(due)).toContain('В меню');
    expect(await payOnPage(link.url, '1500.00')).toContain('Платеж выполнен успешно');
    const notice = await customer.replies();
    expect(customer.texts(notice)).toEqual([Texts.payment.succeeded('инзб12345678', '1\u00a0500,00 ₽')]);
    expect(customer.buttons(notice)).toEqual(MENU_ITEMS);
  });

  test('someone else’s contact card is explained, and no SMS is sent', async () => {
    const customer = telegramConversation(stack, newUser());
    await customer.start();
    await customer.say('Начать');
    await customer.say('Передать показания');
    await customer.say('Запросить СМС код');
    await customer.say('инзб12345678');
    const outbox = async () => ((await (await fetch(`${stack.referenceUrl}/sms/outbox`)).json()) as unknown[]).length;
    const before = await outbox();
    const other = await customer.shareContact('+79001234567', customer.userId + 1);
    expect(customer.texts(other)).toEqual([Texts.identify.notOwnContact]);
    expect(await outbox()).toBe(before);
  });

  test('«Настройки» offers reminders only: Telegram has no button colours', async () => {
    const customer = telegramConversation(stack, newUser());
    await customer.start();
    await customer.say('Начать');
    expect(customer.buttons(await customer.say('Настройки'))).toEqual(['Напоминания о показаниях', 'В меню']);
  });

  test('sixteen lines sent at once, through two workers: answered once each, in order', async () => {
    const customer = telegramConversation(stack, newUser());
    await customer.start();
    await customer.say('Начать');
    // Within the chat's burst of 20 (ingress's rate limit), so every line is taken.
    const lines = Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? 'Настройки' : 'В меню'));
    for (const line of lines) await customer.post(TelegramUpdates.text(customer.userId, line));
    const answers: string[] = [];
    while (answers.length < lines.length) answers.push(...customer.texts(await customer.replies(20_000, 1_000)));
    expect(answers).toEqual(lines.map((line) => (line === 'В меню' ? Texts.menu : Texts.settings.intro)));
  });

  test('reminders: switched on in «Настройки», the tick brings one, and its button opens the readings', async () => {
    const customer = await identified(['Передать показания']);
    await customer.say(Buttons.ToMenu);
    await customer.say(MenuItem.Settings);
    await customer.say(Buttons.Reminders);
    expect(customer.texts(await customer.say(Buttons.RemindersOn))).toEqual([Texts.settings.remindersOn]);
    const bus = await connectBus(natsUrl(), 'telegram-reminders-test', testLogger);
    try {
      await publishReminderTick(bus.js, { day: `${new Date().toISOString().slice(0, 7)}-01` });
    } finally {
      await bus.close();
    }
    const reminder = await customer.replies(20_000);
    expect(customer.texts(reminder)).toEqual([Texts.reminders.due('инзб12345678')]);
    expect(customer.buttons(reminder)).toEqual([MenuItem.Readings, Buttons.ToMenu]);
    expect(customer.texts(await customer.say(MenuItem.Readings))).toEqual([Texts.readings.chooseService]);
  });
});
