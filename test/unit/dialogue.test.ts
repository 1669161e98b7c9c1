import { describe, expect, test } from 'vitest';
import { MENU_ITEMS, Texts } from '../../machines/texts.js';
import { dialogueDriver, content } from '../harness/dialogue-driver.js';
import { memoryBilling, memoryPayments, scriptedVerification } from '../harness/demo-billing.js';

const newChat = (options: Parameters<typeof memoryBilling>[0] = {}) => {
  const billing = memoryBilling(options);
  const verification = scriptedVerification();
  const payments = memoryPayments();
  const chat = dialogueDriver({ billing: billing.gateway, verification, payments });
  return { chat, billing, verification, payments };
};

async function identify(chat: ReturnType<typeof dialogueDriver>) {
  await chat.say('Запросить СМС код');
  await chat.say('ИНЗБ 1234-5678');
  await chat.send({ type: 'chat.contact', phone: '+7 900 123-45-67' });
  return chat.say('1234');
}

describe('the dialogue of the manual', () => {
  test('«Начать» shows the seven sections; «Передать показания» asks for identification first', async () => {
    const { chat } = newChat();
    expect(chat.buttons(await chat.say('Начать'))).toEqual(MENU_ITEMS);
    const replies = await chat.say('Передать показания');
    expect(chat.texts(replies)).toEqual([Texts.identify.intro]);
    expect(chat.buttons(replies)).toEqual(['Запросить СМС код', 'В меню']);
  });

  test('identification: account format, share-phone, code; the account is then a button', async () => {
    const { chat, verification } = newChat();
    await chat.say('Начать');
    await chat.say('Передать показания');
    expect(chat.texts(await chat.say('Запросить СМС код'))).toEqual([Texts.identify.askAccount]);
    expect(chat.texts(await chat.say('12345678'))[0]).toContain('не похоже на номер лицевого счёта');
    expect(chat.texts(await chat.say('инзб00000000'))).toEqual([Texts.identify.unknownAccount]);
    const askPhone = await chat.say('ИНЗБ 1234-5678');
    expect(askPhone.at(-1)?.keyboard?.buttons[0]?.action).toEqual({ kind: 'share-phone' });
    expect(chat.texts(await chat.say('79001234567'))).toEqual([Texts.identify.pressShare]);
    expect(chat.texts(await chat.send({ type: 'chat.contact', phone: '+7 900 123-45-67' }))).toEqual([Texts.identify.codeSent('+7 ••• •••-45-67')]);
    expect(chat.texts(await chat.say('12'))).toEqual([Texts.identify.badCodeFormat]);
    expect(chat.texts(await chat.say('9999'))).toEqual([Texts.identify.wrongCode(4)]);
    const linked = await chat.say('1234');
    expect(chat.texts(linked)).toEqual([Texts.identify.linked('инзб12345678'), Texts.accounts.choose]);
    expect(chat.buttons(linked)).toEqual(['инзб12345678', 'Добавить лицевой счёт', 'Отвязать лицевой счёт', 'В меню']);
    expect(chat.state()?.context.accounts).toEqual(['инзб12345678']);
    expect(verification.sent).toBe(1);
  });

  test('a phone that is not the one on file is explained, with the way to fix it', async () => {
    const { chat } = newChat();
    await chat.say('Начать');
    await chat.say('Передать показания');
    await chat.say('Запросить СМС код');
    await chat.say('инзб12345678');
    const replies = await chat.send({ type: 'chat.contact', phone: '+79990000000' });
    expect(chat.texts(replies)).toEqual([Texts.identify.phoneMismatch(content.site)]);
    expect(replies[0]?.keyboard?.buttons[0]?.action.kind).toBe('open-url');
    expect(chat.state()?.value).toBe('menu');
  });

  test('a day/night meter: both zones, consumption computed, confirmed, accepted once', async () => {
    const { chat, billing } = newChat();
    await chat.say('Начать');
    await chat.say('Передать показания');
    await identify(chat);
    expect(chat.buttons(await chat.say('инзб12345678'))).toEqual(['Электроэнергия', 'Отопление', 'Назад', 'В меню']);
    expect(chat.buttons(await chat.say('Электроэнергия'))).toEqual(['Счётчик № 0112233', 'Назад', 'В меню']);
    const prompt = chat.texts(await chat.say('Счётчик № 0112233'))[0]!;
    expect(prompt).toContain('Предыдущее показание (день): 12\u00a0000 кВт·ч от 20.10.2026');
    expect(chat.texts(await chat.say('двенадцать'))).toEqual([Texts.readings.notNumber]);
    expect(chat.texts(await chat.say('11999'))[0]).toContain('меньше предыдущего');
    expect(chat.texts(await chat.say('12 150,5'))[0]).toContain('(ночь)');
    const summary = chat.texts(await chat.say('5100'))[0]!;
    expect(summary).toContain('День: 12\u00a0150,5 (расход 150,5 кВт·ч)');
    expect(summary).toContain('Ночь: 5\u00a0100 (расход 100 кВт·ч)');
    const done = await chat.say('Отправить');
    expect(chat.texts(done)).toEqual([Texts.readings.accepted]);
    expect(chat.buttons(done)).toEqual(MENU_ITEMS);
    expect(billing.submissions).toEqual([{ account: 'инзб12345678', meterId: 'm-dn', values: { day: 12150.5, night: 5100 }, idempotencyKey: expect.any(String) }]);
  });

  test('a rolled-over dial is accepted; an implausible consumption asks to confirm', async () => {
    const { chat, billing } = newChat();
    await chat.say('Начать');
    await chat.say('Передать показания');
    await identify(chat);
    await chat.say('инзб12345678');
    await chat.say('Отопление');
    await chat.say('Счётчик № 778899');
    expect(chat.texts(await chat.say('00030'))[0]).toContain('расход 80 Гкал');
    await chat.say('Ввести заново');
    expect(chat.texts(await chat.say('99999'))[0]).toContain('Проверьте показания');
    await chat.say('Ввести заново');
    await chat.say('100000');
    expect(chat.texts(await chat.say('100000'))).toEqual([Texts.readings.tooManyDigits(5)]);
    await chat.say('Назад');
    await chat.say('Счётчик № 778899');
    expect(chat.texts(await chat.say('50000'))).toEqual([Texts.readings.belowPrevious('99\u00a0950')]);
    expect(billing.submissions).toHaveLength(0);
  });

  test('outside the submission period the bot says when readings are taken', async () => {
    const day = new Date().getUTCDate();
    const closed = { fromDay: day > 15 ? 1 : 28, toDay: day > 15 ? 2 : 28 };
    const { chat } = newChat({ period: closed });
    await chat.say('Начать');
    await chat.say('Передать показания');
    await identify(chat);
    await chat.say('инзб12345678');
    await chat.say('Электроэнергия');
    expect(chat.texts(await chat.say('Счётчик № 0112233'))).toEqual([Texts.readings.periodClosed(closed.fromDay, closed.toDay)]);
  });

  test('billing down: a clear «try later», back at the menu, nothing half-done kept', async () => {
    let down = false;
    const { chat } = newChat({ down: () => down });
    await chat.say('Начать');
    await chat.say('Передать показания');
    await identify(chat);
    down = true;
    const replies = await chat.say('инзб12345678');
    expect(chat.texts(replies)).toEqual([Texts.unavailable]);
    expect(chat.state()).toMatchObject({ value: 'menu' });
    expect(chat.state()?.context.reading).toBeUndefined();
  });

  test('payment: the amount due and a URL button to the payment page; the provider’s notice is told', async () => {
    const { chat, payments } = newChat();
    await chat.say('Начать');
    expect(chat.buttons(await chat.say('Оплатить'))).toEqual(['Оплатить картой', 'В меню']);
    await chat.say('Оплатить картой');
    const linked = await identify(chat);
    expect(chat.buttons(linked)[0]).toBe('инзб12345678');
    const due = await chat.say('инзб12345678');
    expect(chat.texts(due)[0]).toContain('К оплате: 2\u00a0642,85 ₽');
    expect(due[0]?.keyboard?.buttons[0]).toMatchObject({ text: 'Перейти к оплате', action: { kind: 'open-url', url: expect.stringMatching(/^https:\/\/pay\.example\//) } });
    expect(payments.orders).toHaveLength(1);
    const notice = await chat.send({ type: 'chat.payment', orderId: payments.orders[0]!.orderId, status: 'succeeded', account: 'инзб12345678', amount: 264285 });
    expect(chat.texts(notice)[0]).toContain('Платеж выполнен успешно');
  });

  test('contract information: documents, a template file by service and dwelling, offices with locations', async () => {
    const { chat } = newChat();
    await chat.say('Начать');
    expect(chat.buttons(await chat.say('Заключить договор'))).toEqual(['Необходимые документы', 'Шаблоны договоров', 'Офисы компании', 'В меню']);
    expect(chat.texts(await chat.say('Необходимые документы'))[0]).toContain('Паспорт');
    await chat.say('Шаблоны договоров');
    expect(chat.buttons(await chat.say('Электроснабжение'))).toEqual(['Жилой дом', 'Многоквартирный дом', 'Назад', 'В меню']);
    expect(await chat.say('Многоквартирный дом')).toMatchObject([{ kind: 'file', fileName: 'Договор электроснабжения (многоквартирный дом).pdf' }]);
    await chat.say('Назад');
    await chat.say('Назад');
    await chat.say('Офисы компании');
    const offices = await chat.say('Иркутск');
    expect(offices.map((r) => r.kind)).toEqual(['text', 'location', 'text', 'location']);
  });

  test('settings: the chosen button colour is kept and every later keyboard uses it', async () => {
    const { chat } = newChat();
    await chat.say('Начать');
    await chat.say('Настройки');
    const palette = await chat.say('Цвет кнопок');
    expect(palette[0]?.keyboard?.buttons.find((b) => b.text === 'Зелёный')?.color).toBe('#DFF5E1');
    const changed = await chat.say('Зелёный');
    expect(changed[0]?.keyboard?.color).toBe('#DFF5E1');
    expect((await chat.say('Сервисный центр'))[0]?.keyboard?.color).toBe('#DFF5E1');
  });

  test('service centre, personal cabinet with its instruction, and support: texts and links', async () => {
    const { chat } = newChat();
    await chat.say('Начать');
    expect((await chat.say('Сервисный центр'))[0]?.keyboard?.buttons[0]?.action).toEqual({ kind: 'open-url', url: content.serviceCentre.url });
    await chat.say('В меню');
    await chat.say('Личный кабинет');
    expect(await chat.say('Инструкция для работы в Личном кабинете')).toMatchObject([{ kind: 'file', url: content.cabinet.instruction.url }]);
    await chat.say('В меню');
    expect((await chat.say('Поддержка бота'))[0]?.keyboard?.buttons[0]?.action).toEqual({ kind: 'open-url', url: content.support.url });
  });

  test('a sticker mid-dialogue gets a polite answer and the menu; «В меню» works from any screen', async () => {
    const { chat } = newChat();
    await chat.say('Начать');
    await chat.say('Передать показания');
    await chat.say('Запросить СМС код');
    expect(chat.texts(await chat.send({ type: 'chat.media', mediaType: 'sticker' }))).toEqual([Texts.notText]);
    await chat.say('Заключить договор');
    await chat.say('Шаблоны договоров');
    expect(chat.buttons(await chat.say('В меню'))).toEqual(MENU_ITEMS);
  });
});
