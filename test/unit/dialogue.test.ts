import { describe, expect, test } from 'vitest';
import type { PhoneVerification } from '../../shared/ports/verification.js';
import { chatDialogue } from '../../machines/dialogue.js';
import { MENU_ITEMS, Texts } from '../../machines/texts.js';
import { dialogueDriver, content } from '../harness/dialogue-driver.js';
import { telegramChatId } from '../../shared/contracts/channel.js';
import { memoryBilling, memoryPayments, scriptedVerification } from '../harness/demo-billing.js';

interface ChatOptions {
  now?: () => number;
  verification?: PhoneVerification;
  /** Accounts linked before the chat starts. */
  accounts?: string[];
  /** The chat's id, which names its messenger (a Viber chat unless given). */
  chatId?: string;
}

const newChat = (options: Parameters<typeof memoryBilling>[0] = {}, driver: ChatOptions = {}) => {
  const billing = memoryBilling(options);
  const verification = scriptedVerification();
  const payments = memoryPayments();
  const dialogue = chatDialogue(content);
  const chat = dialogueDriver(
    { billing: billing.gateway, verification: driver.verification ?? verification, payments },
    {
      ...(driver.now ? { now: driver.now } : {}),
      ...(driver.chatId ? { chatId: driver.chatId } : {}),
      ...(driver.accounts
        ? { dialogue: { ...dialogue, input: (chatId: string) => ({ chatId, accounts: driver.accounts }) } }
        : {}),
    },
  );
  return { chat, billing, verification, payments };
};

async function identify(chat: ReturnType<typeof dialogueDriver>) {
  await chat.say('Запросить СМС код');
  await chat.say('ИНЗБ 1234-5678');
  await chat.send({ type: 'chat.contact', phone: '+7 900 123-45-67' });
  return chat.say('123456');
}

describe('the dialogue of the manual', () => {
  test('«Начать» shows the seven sections; «Передать показания» asks for identification first', async () => {
    const { chat } = newChat();
    expect(chat.buttons(await chat.say('Начать'))).toEqual(MENU_ITEMS);
    const replies = await chat.say('Передать показания');
    expect(chat.texts(replies)).toEqual([Texts.identify.introFor('readings')]);
    expect(chat.buttons(replies)).toEqual(['Запросить СМС код', 'Назад', 'В меню']);
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
    expect(chat.texts(await chat.send({ type: 'chat.contact', phone: '+7 900 123-45-67' }))).toEqual([
      Texts.identify.codeSent('+7 ••• •••-45-67'),
    ]);
    expect(chat.texts(await chat.say('12'))).toEqual([Texts.identify.badCodeFormat]);
    expect(chat.texts(await chat.say('999999'))).toEqual([Texts.identify.wrongCode(4)]);
    const linked = await chat.say('123456');
    expect(chat.texts(linked)).toEqual([Texts.identify.linked('инзб12345678'), Texts.accounts.choose]);
    expect(chat.buttons(linked)).toEqual(['ИНЗБ12345678', 'Добавить лицевой счёт', 'Отвязать лицевой счёт', 'В меню']);
    expect(chat.state()?.context.accounts).toEqual(['инзб12345678']);
    expect(verification.sent).toBe(1);
  });

  test(
    'a phone that is not the one on file is explained, ' +
      'with a link to change it in the cabinet, and the customer keeps their place',
    async () => {
      const { chat } = newChat();
      await chat.say('Начать');
      await chat.say('Передать показания');
      await chat.say('Запросить СМС код');
      await chat.say('инзб12345678');
      const replies = await chat.send({ type: 'chat.contact', phone: '+79990000000' });
      expect(chat.texts(replies)).toEqual([Texts.identify.phoneMismatch(content.site)]);
      // Not «Личный кабинет» (a menu item) and not the registration page: the cabinet's phone settings.
      expect(replies[0]?.keyboard?.buttons[0]).toMatchObject({
        text: 'Изменить телефон в Личном кабинете',
        action: { kind: 'open-url', url: content.cabinet.phoneSettingsUrl },
      });
      expect(content.cabinet.phoneSettingsUrl).not.toBe(content.cabinet.registrationUrl);
      expect(chat.buttons(replies)).toEqual([
        'Изменить телефон в Личном кабинете',
        'Поделиться номером телефона',
        'Назад',
        'В меню',
      ]);
      expect(chat.state()?.value).toEqual({ identify: 'askPhone' });
      // Once the phone is in the cabinet, sharing it again goes on.
      expect(chat.texts(await chat.send({ type: 'chat.contact', phone: '+7 900 123-45-67' }))).toEqual([
        Texts.identify.codeSent('+7 ••• •••-45-67'),
      ]);
    },
  );

  test('a day/night meter: both zones, consumption computed, confirmed, accepted once', async () => {
    const { chat, billing } = newChat();
    await identifiedIn(chat);
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
    expect(billing.submissions).toEqual([
      {
        account: 'инзб12345678',
        meterId: 'm-dn',
        values: { day: 12150.5, night: 5100 },
        idempotencyKey: expect.any(String),
      },
    ]);
  });

  test('a rolled-over dial is accepted; an implausible consumption asks to confirm', async () => {
    const { chat, billing } = newChat();
    await identifiedIn(chat);
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

  test('outside the submission period the bot says so as soon as the account is chosen, with a way back', async () => {
    const closed = { fromDay: 15, toDay: 25 };
    const { chat } = newChat({ period: closed }, { now: () => Date.UTC(2026, 10, 27, 3) });
    await identifiedIn(chat);
    const told = await chat.say('инзб12345678');
    expect(chat.texts(told)).toEqual([Texts.readings.periodClosed('инзб12345678', 15, 25)]);
    expect(chat.texts(told)[0]).toContain('ИНЗБ12345678');
    expect(chat.buttons(told)).toEqual(['Назад', 'В меню']);
    const back = await chat.say('Назад');
    expect(chat.texts(back)).toEqual([Texts.accounts.choose]);
    expect(chat.buttons(back)[0]).toBe('ИНЗБ12345678');
  });

  test('within the submission period the period is told with the meter', async () => {
    const { chat } = newChat({ period: { fromDay: 15, toDay: 25 } }, { now: () => Date.UTC(2026, 10, 20, 3) });
    await identifiedIn(chat);
    await chat.say('инзб12345678');
    await chat.say('Электроэнергия');
    expect(chat.texts(await chat.say('Счётчик № 0112233'))[0]).toContain(Texts.readings.period(15, 25));
  });

  test('billing down: a clear «try later», back at the menu, nothing half-done kept', async () => {
    let down = false;
    const { chat } = newChat({ down: () => down });
    await identifiedIn(chat);
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
    expect(chat.buttons(linked)[0]).toBe('ИНЗБ12345678');
    const due = await chat.say('инзб12345678');
    expect(chat.texts(due)[0]).toContain('К оплате: 2\u00a0642,85 ₽');
    expect(due[0]?.keyboard?.buttons[0]).toMatchObject({
      text: 'Перейти к оплате',
      action: { kind: 'open-url', url: expect.stringMatching(/^https:\/\/pay\.example\//) },
    });
    expect(payments.orders).toHaveLength(1);
    const notice = await chat.send({
      type: 'chat.payment',
      orderId: payments.orders[0]!.orderId,
      status: 'succeeded',
      account: 'инзб12345678',
      amount: 264285,
    });
    expect(chat.texts(notice)).toEqual([Texts.payment.succeeded('инзб12345678', '2\u00a0642,85 ₽')]);
    expect(chat.texts(notice)[0]).toMatch(
      /^Платёж выполнен успешно\.\nЛицевой счёт ИНЗБ12345678, сумма 2\u00a0642,85 ₽/,
    );
    // The link's order is paid: its button is gone, the menu is what comes next.
    expect(chat.buttons(notice)).toEqual(MENU_ITEMS);
  });

  test('contract information: documents, a template file by service and dwelling, offices with locations', async () => {
    const { chat } = newChat();
    await chat.say('Начать');
    expect(chat.buttons(await chat.say('Заключить договор'))).toEqual([
      'Необходимые документы',
      'Шаблоны договоров',
      'Офисы компании',
      'В меню',
    ]);
    expect(chat.texts(await chat.say('Необходимые документы'))[0]).toContain('Паспорт');
    await chat.say('Шаблоны договоров');
    expect(chat.buttons(await chat.say('Электроснабжение'))).toEqual([
      'Жилой дом',
      'Многоквартирный дом',
      'Назад',
      'В меню',
    ]);
    expect(await chat.say('Многоквартирный дом')).toMatchObject([
      { kind: 'file', fileName: 'Договор электроснабжения (многоквартирный дом).pdf' },
    ]);
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
    expect((await chat.say('Сервисный центр'))[0]?.keyboard?.buttons[0]?.action).toEqual({
      kind: 'open-url',
      url: content.serviceCentre.url,
    });
    await chat.say('В меню');
    await chat.say('Личный кабинет');
    expect(await chat.say('Инструкция для работы в Личном кабинете')).toMatchObject([
      { kind: 'file', url: content.cabinet.instruction.url },
    ]);
    await chat.say('В меню');
    expect((await chat.say('Поддержка бота'))[0]?.keyboard?.buttons[0]?.action).toEqual({
      kind: 'open-url',
      url: content.support.url,
    });
  });

  test(
    'a sticker mid-dialogue gets a polite answer and the customer stays where they were; ' +
      '«В меню» works from any screen',
    async () => {
      const { chat } = newChat();
      await chat.say('Начать');
      await chat.say('Передать показания');
      await chat.say('Запросить СМС код');
      const sticker = await chat.send({ type: 'chat.media', mediaType: 'sticker' });
      expect(chat.texts(sticker)).toEqual([Texts.notText]);
      expect(chat.buttons(sticker)).toEqual(['Назад', 'В меню']);
      expect(chat.state()?.value).toEqual({ identify: 'askAccount' });
      await chat.say('Заключить договор');
      await chat.say('Шаблоны договоров');
      const odd = await chat.say('что-то непонятное');
      expect(chat.texts(odd)).toEqual([Texts.useButtons]);
      expect(chat.buttons(odd)).toEqual([
        'Электроснабжение',
        'Теплоснабжение и горячее водоснабжение',
        'Назад',
        'В меню',
      ]);
      expect(chat.buttons(await chat.say('В меню'))).toEqual(MENU_ITEMS);
    },
  );
});

/** The demo verification, with some answers replaced (the machine is ready for `limited` before the port is). */
function verificationWith(answers: {
  resend?: unknown;
  shared?: unknown;
  check?: unknown;
}): PhoneVerification & { requests: unknown[] } {
  const scripted = scriptedVerification();
  const requests: unknown[] = [];
  return {
    requests,
    async requestCode(request) {
      requests.push(request);
      const answer = request.phone === undefined ? answers.resend : answers.shared;
      return (answer ?? scripted.requestCode(request)) as never;
    },
    async checkCode(check) {
      return (answers.check ?? scripted.checkCode(check)) as never;
    },
  };
}

type Section = 'readings' | 'payment';

/** From «Начать» into a section that asks for identification: readings, or the card payment. */
async function openSection(chat: ReturnType<typeof dialogueDriver>, section: Section) {
  await chat.say('Начать');
  if (section === 'readings') return chat.say('Передать показания');
  await chat.say('Оплатить');
  return chat.say('Оплатить картой');
}

async function toAccountPrompt(chat: ReturnType<typeof dialogueDriver>, section: Section = 'readings') {
  await openSection(chat, section);
  return chat.say('Запросить СМС код');
}

/** From «Начать» to the account linked in the section: what `identify` answers. */
async function identifiedIn(chat: ReturnType<typeof dialogueDriver>, section: Section = 'readings') {
  await openSection(chat, section);
  return identify(chat);
}

describe('the dialogue, polished (issue «The customer’s dialogue, polished»)', () => {
  test(
    '1. a declined card names no 0,00 ₽ but the amount offered; ' + '«Оплатить ещё раз» makes a fresh order',
    async () => {
      const { chat, payments } = newChat();
      await identifiedIn(chat, 'payment');
      await chat.say('инзб12345678');
      const declined = await chat.send({
        type: 'chat.payment',
        orderId: payments.orders[0]!.orderId,
        status: 'failed',
        account: 'инзб12345678',
        amount: 0,
      });
      const [said] = chat.texts(declined);
      expect(said).not.toContain('0,00');
      expect(said).toBe(
        'Платёж по лицевому счёту ИНЗБ12345678 не прошёл. Сумма к оплате: 2\u00a0642,85 ₽. ' +
          'Попробуйте ещё раз или оплатите другой картой.',
      );
      // 5. The link's order is finished: its button is gone, a fresh order is offered instead.
      expect(chat.buttons(declined)).toEqual(['Оплатить ещё раз', 'В меню']);
      const again = await chat.say('Оплатить ещё раз');
      expect(payments.orders).toHaveLength(2);
      expect(payments.orders[1]!.orderId).not.toBe(payments.orders[0]!.orderId);
      expect(again[0]?.keyboard?.buttons[0]).toMatchObject({
        text: 'Перейти к оплате',
        action: { kind: 'open-url', url: `https://pay.example/${payments.orders[1]!.orderId}` },
      });
      // A provider that does say the sum tried: that sum.
      const tried = await chat.send({
        type: 'chat.payment',
        orderId: payments.orders[1]!.orderId,
        status: 'failed',
        account: 'инзб12345678',
        amount: 150000,
      });
      expect(chat.texts(tried)[0]).toMatch(
        /^Платёж по лицевому счёту ИНЗБ12345678 на сумму 1\u00a0500,00 ₽ не прошёл\./,
      );
      const cancelled = await chat.say('Оплатить ещё раз').then(() =>
        chat.send({
          type: 'chat.payment',
          orderId: payments.orders[2]!.orderId,
          status: 'cancelled',
          account: 'инзб12345678',
          amount: 0,
        }),
      );
      expect(chat.texts(cancelled)).toEqual([Texts.payment.cancelled('инзб12345678')]);
      expect(chat.buttons(cancelled)).toEqual(['Оплатить ещё раз', 'В меню']);
    },
  );

  test(
    '1, 5. a notice for a link the customer has left is told where they are, ' +
      'keeping their keyboard, with the amount offered',
    async () => {
      const { chat, payments } = newChat();
      await identifiedIn(chat, 'payment');
      await chat.say('инзб12345678');
      const settings = await chat.say('Настройки');
      const declined = await chat.send({
        type: 'chat.payment',
        orderId: payments.orders[0]!.orderId,
        status: 'failed',
        account: 'ИНЗБ12345678',
        amount: 0,
      });
      expect(chat.texts(declined)[0]).toContain('не прошёл. Сумма к оплате: 2\u00a0642,85 ₽.');
      expect(chat.buttons(declined)).toEqual(chat.buttons(settings));
      // An order the chat knows nothing of: no sum at all.
      const unknown = await chat.send({
        type: 'chat.payment',
        orderId: 'elsewhere',
        status: 'failed',
        account: 'инзб12345678',
        amount: 0,
      });
      expect(chat.texts(unknown)).toEqual([
        'Платёж по лицевому счёту ИНЗБ12345678 не прошёл. Попробуйте ещё раз или оплатите другой картой.',
      ]);
    },
  );

  test(
    '2. «Назад» goes one step back on every identification screen, ' + 'before the account number is checked',
    async () => {
      const { chat } = newChat();
      const prompt = await toAccountPrompt(chat);
      expect(chat.buttons(prompt)).toEqual(['Назад', 'В меню']);
      // At the account prompt «Назад» is not an account number: back to the first screen.
      expect(chat.texts(await chat.say('Назад'))).toEqual([Texts.identify.introFor('readings')]);
      await chat.say('Запросить СМС код');
      const phone = await chat.say('инзб12345678');
      expect(chat.buttons(phone)).toEqual(['Поделиться номером телефона', 'Назад', 'В меню']);
      expect(chat.texts(await chat.say('Назад'))).toEqual([Texts.identify.askAccount]);
      await chat.say('инзб12345678');
      const code = await chat.send({ type: 'chat.contact', phone: '+79001234567' });
      expect(chat.buttons(code)).toEqual(['Отправить код повторно', 'Назад', 'В меню']);
      expect(chat.texts(await chat.say('назад'))).toEqual([Texts.identify.askPhone]);
      expect(chat.state()?.value).toEqual({ identify: 'askPhone' });
      await chat.say('Назад');
      await chat.say('Назад');
      // From the first screen of a reading's identification, back is the menu.
      const menu = await chat.say('Назад');
      expect(chat.buttons(menu)).toEqual(MENU_ITEMS);
    },
  );

  test(
    '2. «Назад» from a payment’s identification goes back to «Оплатить»; ' +
      'from «Добавить лицевой счёт» to the account choice',
    async () => {
      const { chat } = newChat();
      await toAccountPrompt(chat, 'payment');
      await chat.say('Назад');
      const back = await chat.say('Назад');
      expect(chat.texts(back)).toEqual([Texts.payment.intro]);
      expect(chat.buttons(back)).toEqual(['Оплатить картой', 'В меню']);
      await chat.say('Оплатить картой');
      await identify(chat);
      await chat.say('Добавить лицевой счёт');
      const choice = await chat.say('Назад');
      expect(chat.texts(choice)).toEqual([Texts.accounts.choose]);
      expect(chat.state()?.value).toEqual({ payment: { chooseAccount: 'choosing' } });
    },
  );

  test('3. the first identification message names what it is for', async () => {
    const { chat } = newChat();
    await chat.say('Начать');
    const readings = chat.texts(await chat.say('Передать показания'))[0]!;
    expect(readings).toMatch(/^Чтобы передать показания, нужно пройти идентификацию/);
    await chat.say('В меню');
    await chat.say('Оплатить');
    const payment = chat.texts(await chat.say('Оплатить картой'))[0]!;
    expect(payment).toMatch(/^Чтобы оплатить картой, нужно пройти идентификацию/);
    expect(payment).not.toContain('Для этого');
  });

  test('4. an expired code: the button the text names is there, and it sends a new code', async () => {
    const verification = verificationWith({ check: { result: 'expired' } });
    const { chat } = newChat({}, { verification });
    await toAccountPrompt(chat);
    await chat.say('инзб12345678');
    await chat.send({ type: 'chat.contact', phone: '+79001234567' });
    const expired = await chat.say('123456');
    expect(chat.texts(expired)).toEqual([Texts.identify.expired]);
    expect(Texts.identify.expired).toContain('«Отправить код повторно»');
    expect(chat.buttons(expired)).toContain('Отправить код повторно');
    const resent = await chat.say('Отправить код повторно');
    expect(chat.texts(resent)).toEqual([Texts.identify.codeSent('+7 ••• •••-45-67')]);
    expect(verification.requests.at(-1)).not.toHaveProperty('phone');
  });

  test('4. a code that can no longer be resent asks for the phone again, with the share-phone button', async () => {
    const { chat } = newChat(
      {},
      { verification: verificationWith({ check: { result: 'expired' }, resend: { result: 'no-challenge' } }) },
    );
    await toAccountPrompt(chat);
    await chat.say('инзб12345678');
    await chat.send({ type: 'chat.contact', phone: '+79001234567' });
    await chat.say('123456');
    const gone = await chat.say('Отправить код повторно');
    expect(chat.texts(gone)).toEqual([Texts.identify.codeGone]);
    expect(gone[0]?.keyboard?.buttons[0]?.action).toEqual({ kind: 'share-phone' });
    expect(chat.texts(await chat.send({ type: 'chat.contact', phone: '+79001234567' }))).toEqual([
      Texts.identify.codeSent('+7 ••• •••-45-67'),
    ]);
  });

  test('6. too many codes within the hour is told as such, not as wrong attempts', async () => {
    const { chat } = newChat(
      {},
      { verification: verificationWith({ shared: { result: 'limited', minutes: 42, period: 'hour' } }) },
    );
    await toAccountPrompt(chat);
    await chat.say('инзб12345678');
    const limited = await chat.send({ type: 'chat.contact', phone: '+79001234567' });
    expect(chat.texts(limited)).toEqual([
      'За последний час запрошено слишком много СМС кодов. Новый код можно будет запросить через 42 мин.',
    ]);
    expect(chat.texts(limited)[0]).not.toContain('попыток');
    expect(chat.buttons(limited)).toEqual(MENU_ITEMS);
    expect(Texts.identify.locked(30)).toContain('неверных попыток');
  });

  test('11. too many codes within the day is told as such, the wait in hours', async () => {
    const { chat } = newChat(
      {},
      { verification: verificationWith({ shared: { result: 'limited', minutes: 1000, period: 'day' } }) },
    );
    await toAccountPrompt(chat);
    await chat.say('инзб12345678');
    const limited = await chat.send({ type: 'chat.contact', phone: '+79001234567' });
    expect(chat.texts(limited)).toEqual([
      'За последние сутки запрошено слишком много СМС кодов. Новый код можно будет запросить через 16 ч 40 мин.',
    ]);
    expect(chat.buttons(limited)).toEqual(MENU_ITEMS);
  });

  test(
    '6. a code request the service refuses as `locked` names no reason it cannot know; ' + 'five wrong codes do say so',
    async () => {
      const { chat } = newChat({}, { verification: verificationWith({ shared: { result: 'locked', minutes: 40 } }) });
      await toAccountPrompt(chat);
      await chat.say('инзб12345678');
      const refused = await chat.send({ type: 'chat.contact', phone: '+79001234567' });
      expect(chat.texts(refused)).toEqual([
        'Новый СМС код по этому лицевому счёту можно будет запросить через 40 мин.',
      ]);
      const other = newChat().chat;
      await toAccountPrompt(other);
      await other.say('инзб12345678');
      await other.send({ type: 'chat.contact', phone: '+79001234567' });
      for (let i = 0; i < 4; i++) await other.say('999999');
      expect(other.texts(await other.say('999999'))).toEqual([Texts.identify.locked(30)]);
    },
  );

  test('9. one spelling: «Платёж» in every notice, accounts as the bill prints them', async () => {
    const notices = [
      Texts.payment.succeeded('инзб12345678', '1 ₽'),
      Texts.payment.failed('инзб12345678'),
      Texts.payment.cancelled('инзб12345678'),
    ];
    for (const notice of notices) {
      expect(notice).toMatch(/^Платёж /);
      expect(notice).toContain('ИНЗБ12345678');
      expect(notice).not.toMatch(/Платеж|инзб/);
    }
    for (const said of [
      Texts.identify.askAccount,
      Texts.identify.badAccount('x'),
      Texts.identify.linked('инзб 1234-5678'),
      Texts.accounts.unlinked('инзб12345678'),
    ]) {
      expect(said).not.toContain('инзб');
    }
  });
});

describe('the dialogue, walked as a customer', () => {
  test('«Назад» at the second tariff zone goes back to the first, not to the meters', async () => {
    const { chat } = newChat();
    await identifiedIn(chat);
    await chat.say('инзб12345678');
    await chat.say('Электроэнергия');
    await chat.say('Счётчик № 0112233');
    expect(chat.texts(await chat.say('12100'))[0]).toContain('(ночь)');
    const day = chat.texts(await chat.say('Назад'))[0]!;
    expect(day).toContain('Введите новое показание (день).');
    expect(chat.texts(await chat.say('Назад'))).toEqual([Texts.readings.chooseMeter]);
  });

  test('billing down when the reading is sent: the values stay, «Отправить» again', async () => {
    let down = false;
    const { chat, billing } = newChat({ down: () => down });
    await identifiedIn(chat);
    await chat.say('инзб12345678');
    await chat.say('Отопление');
    await chat.say('Счётчик № 778899');
    await chat.say('99990');
    down = true;
    const failed = await chat.say('Отправить');
    expect(chat.texts(failed)[0]).toBe(Texts.unavailable);
    expect(chat.texts(failed)[1]).toContain('Проверьте показания');
    expect(chat.buttons(failed)).toEqual(['Отправить', 'Ввести заново', 'В меню']);
    down = false;
    expect(chat.texts(await chat.say('Отправить'))).toEqual([Texts.readings.accepted]);
    expect(billing.submissions).toHaveLength(1);
  });

  test('unlinking one of two accounts goes back to the choice; the last one to the menu', async () => {
    const { chat } = newChat({}, { accounts: ['инзб12345678', 'инзб87654321'] });
    await chat.say('Начать');
    expect(chat.buttons(await chat.say('Передать показания'))).toEqual([
      'ИНЗБ12345678',
      'ИНЗБ87654321',
      'Добавить лицевой счёт',
      'Отвязать лицевой счёт',
      'В меню',
    ]);
    await chat.say('Отвязать лицевой счёт');
    const unlinked = await chat.say('ИНЗБ87654321');
    expect(chat.texts(unlinked)).toEqual([Texts.accounts.unlinked('инзб87654321'), Texts.accounts.choose]);
    expect(chat.buttons(unlinked)).toEqual([
      'ИНЗБ12345678',
      'Добавить лицевой счёт',
      'Отвязать лицевой счёт',
      'В меню',
    ]);
    await chat.say('Отвязать лицевой счёт');
    const last = await chat.say('инзб12345678');
    expect(chat.texts(last)).toEqual([Texts.accounts.unlinked('инзб12345678')]);
    expect(chat.buttons(last)).toEqual(MENU_ITEMS);
  });
});

describe('the same dialogue on Telegram', () => {
  const telegram = () => newChat({}, { chatId: telegramChatId(424242) });

  test('/start greets with the welcome itself: Telegram lets the bot write first', async () => {
    const { chat } = telegram();
    const replies = await chat.send({ type: 'chat.opened', greet: true, context: 'qr' });
    expect(chat.texts(replies)).toEqual([Texts.welcome]);
    expect(chat.buttons(replies)).toEqual(['Начать']);
    expect(chat.buttons(await chat.say('Начать'))).toEqual(MENU_ITEMS);
  });

  test('«Настройки» offers only what Telegram shows: reminders, no button colours', async () => {
    const { chat } = telegram();
    await chat.say('Начать');
    const settings = await chat.say('Настройки');
    expect(chat.buttons(settings)).toEqual(['Напоминания о показаниях', 'В меню']);
    // Typed anyway, it is not a button of this screen.
    expect(chat.texts(await chat.say('Цвет кнопок'))).toEqual([Texts.useButtons]);
    expect(chat.buttons(await chat.say('Напоминания о показаниях'))).toContain('Включить напоминания');
  });

  test('a contact card of someone else is explained; the sender’s own number goes on', async () => {
    const { chat, verification } = telegram();
    await chat.say('Начать');
    await chat.say('Передать показания');
    await chat.say('Запросить СМС код');
    await chat.say('инзб12345678');
    const other = await chat.send({ type: 'chat.contact', phone: '+7 900 123-45-67', own: false });
    expect(chat.texts(other)).toEqual([Texts.identify.notOwnContact]);
    expect(other.at(-1)?.keyboard?.buttons[0]?.action).toEqual({ kind: 'share-phone' });
    expect(verification.sent).toBe(0);
    const own = await chat.send({ type: 'chat.contact', phone: '+79001234567', own: true });
    expect(chat.texts(own)).toEqual([Texts.identify.codeSent('+7 ••• •••-45-67')]);
  });

  test('a phone not on file asks for the number used with Telegram', async () => {
    const { chat } = telegram();
    await chat.say('Начать');
    await chat.say('Передать показания');
    await chat.say('Запросить СМС код');
    await chat.say('инзб12345678');
    const replies = await chat.send({ type: 'chat.contact', phone: '+79990000000', own: true });
    expect(chat.texts(replies)).toEqual([Texts.identify.phoneMismatch(content.site, 'Telegram')]);
    expect(chat.texts(replies)[0]).toContain('с которым пользуетесь Telegram');
  });
});
