/**
 * The bot's words, in the manual's Russian. Facts that change (documents, offices, links) are
 * content data in content/content.json; the phrasing of the dialogue lives here.
 */
export const MenuItem = {
  Readings: 'Передать показания',
  Pay: 'Оплатить',
  Contract: 'Заключить договор',
  ServiceCentre: 'Сервисный центр',
  Cabinet: 'Личный кабинет',
  Settings: 'Настройки',
  Support: 'Поддержка бота',
} as const;
export type MenuItem = (typeof MenuItem)[keyof typeof MenuItem];

export const MENU_ITEMS: readonly MenuItem[] = Object.values(MenuItem);

export const START_COMMAND = 'Начать';

/** Button labels used on more than one screen. */
export const Buttons = {
  ToMenu: 'В меню',
  Back: 'Назад',
  RequestCode: 'Запросить СМС код',
  SharePhone: 'Поделиться номером телефона',
  ResendCode: 'Отправить код повторно',
  AddAccount: 'Добавить лицевой счёт',
  UnlinkAccount: 'Отвязать лицевой счёт',
  PayByCard: 'Оплатить картой',
  GoToPayment: 'Перейти к оплате',
  PayAgain: 'Оплатить ещё раз',
  History: 'История показаний',
  Confirm: 'Отправить',
  Retype: 'Ввести заново',
  ConfirmHigh: 'Да, показание верное',
  Documents: 'Необходимые документы',
  Templates: 'Шаблоны договоров',
  Offices: 'Офисы компании',
  Site: 'Перейти на сайт',
  Register: 'Зарегистрироваться',
  ChangePhone: 'Изменить телефон в Личном кабинете',
  Instruction: 'Инструкция для работы в Личном кабинете',
  ButtonColor: 'Цвет кнопок',
  Reminders: 'Напоминания о показаниях',
  RemindersOn: 'Включить напоминания',
  RemindersOff: 'Выключить напоминания',
  Feedback: 'Оставить отзыв',
} as const;

const rub = new Intl.NumberFormat('ru-RU', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
/** 264285 kopecks → "2 642,85 ₽" */
export const formatRubles = (kopecks: number) => `${rub.format(kopecks / 100)} ₽`;
/** "2026-10-20" → "20.10.2026" */
export const formatDate = (iso: string) => iso.slice(0, 10).split('-').reverse().join('.');
const num = new Intl.NumberFormat('ru-RU', { maximumFractionDigits: 3 });
export const formatNumber = (value: number) => num.format(value);
/**
 * An account number as the bill and the payment page print it: «ИНЗБ12345678». The chat keeps
 * accounts normalised («инзб12345678», see identify.ts); every text and button shows them this way.
 */
/** A wait in minutes as a customer reads it: «42 мин», «5 ч 20 мин», «23 ч». */
const formatWait = (minutes: number) => {
  const [hours, rest] = [Math.floor(minutes / 60), minutes % 60];
  if (hours === 0) return `${minutes} мин`;
  return rest === 0 ? `${hours} ч` : `${hours} ч ${rest} мин`;
};

export const formatAccount = (account: string) =>
  account
    .normalize('NFC')
    .replace(/[\s\u00a0-]/g, '')
    .toUpperCase();

/** What the customer came for, named in the identification's first message. */
export type Flow = 'readings' | 'payment';
const PURPOSE: Record<Flow, string> = { readings: 'Чтобы передать показания', payment: 'Чтобы оплатить картой' };
const identifyIntro = (flow: Flow) =>
  `${PURPOSE[flow]}, нужно пройти идентификацию: бот отправит СМС код на номер телефона, ` +
  `указанный в Личном кабинете. Нажмите «Запросить СМС код».`;

export const Texts = {
  welcome:
    'Здравствуйте! Я бот-консультант ООО «Иркутскэнергосбыт». Здесь можно передать показания счётчиков, ' +
    'оплатить услуги без комиссии и узнать о заключении договора. Чтобы начать, напишите «Начать».',
  startHint: 'Чтобы начать, напишите «Начать» или нажмите кнопку ниже.',
  menu: 'Выберите раздел в меню ниже.',
  unknown: 'Не понял вас. Выберите, пожалуйста, раздел в меню ниже.',
  useButtons: 'Не понял вас. Выберите, пожалуйста, вариант кнопкой ниже.',
  /**
   * Where a messenger shows links and answer buttons in different places (Telegram: under the
   * message, under the input), the second message that brings the answer buttons.
   */
  keyboardPrompt: 'Или выберите действие кнопкой ниже.',
  notText: 'Я понимаю только текст и кнопки. Выберите, пожалуйста, вариант кнопкой ниже.',
  unavailable: 'Сервис временно недоступен. Пожалуйста, попробуйте позже.',

  identify: {
    /**
     * The first message of identification for readings, where a new customer usually starts;
     * `introFor` names the flow.
     */
    intro: identifyIntro('readings'),
    introFor: identifyIntro,
    askAccount: 'Введите номер лицевого счёта полностью: буквенный префикс и цифры, например «ИНЗБ12345678».',
    badAccount: (typed: string) =>
      // By code points, so an emoji is never cut in half.
      `«${Array.from(typed).slice(0, 40).join('')}» не похоже на номер лицевого счёта. ` +
      `Номер состоит из букв и цифр, например «ИНЗБ12345678». Введите его ещё раз.`,
    unknownAccount: 'Лицевой счёт с таким номером не найден. Проверьте номер по квитанции и введите его ещё раз.',
    alreadyLinked: (account: string) => `Лицевой счёт ${formatAccount(account)} уже привязан.`,
    askPhone:
      'Чтобы убедиться, что счёт ваш, поделитесь номером телефона кнопкой ниже. ' +
      'Он должен совпадать с номером, указанным в Личном кабинете.',
    pressShare: 'Нажмите кнопку «Поделиться номером телефона» ниже.',
    /** `messenger`: the customer's, as they know it (shared/contracts/channel.ts). */
    noPhone: (messenger: string) =>
      `Не удалось получить номер телефона. Откройте бота в ${messenger} на телефоне и нажмите кнопку ещё раз.`,
    /** A contact card of someone else (Telegram says whose a card is): only the customer's own number will do. */
    notOwnContact:
      'Это контакт другого человека. Чтобы подтвердить, что счёт ваш, отправьте свой номер ' +
      'кнопкой «Поделиться номером телефона» ниже.',
    phoneMismatch: (site: string, messenger = 'Viber') =>
      `Номер вашего телефона не совпадает с номером, указанным в Личном кабинете ` +
      `для этого лицевого счёта, поэтому сервис недоступен. ` +
      `Добавьте номер, с которым пользуетесь ${messenger}, в Личном кабинете на сайте ${site} и попробуйте снова.`,
    codeSent: (maskedPhone: string) => `СМС код отправлен на номер ${maskedPhone}. Введите шестизначный код из СМС.`,
    /** The SMS itself, sent by the verification service (services/worker/verification). */
    smsCode: (code: string) => `Код для бота ООО «Иркутскэнергосбыт»: ${code}. Никому не сообщайте его.`,
    badCodeFormat: 'Код состоит из шести цифр. Введите код из СМС.',
    wrongCode: (attemptsLeft: number) => `Неверный код. Осталось попыток: ${attemptsLeft}.`,
    expired: 'Срок действия кода истёк. Нажмите «Отправить код повторно».',
    /**
     * The code can no longer be resent (it was used, or forgotten long after it expired): a new one
     * needs the phone.
     */
    codeGone: 'Этот код больше не действует. Чтобы получить новый, поделитесь номером телефона ещё раз.',
    cooldown: (seconds: number) => `Новый код можно запросить через ${seconds} с.`,
    /** Too many wrong codes: the account is locked for this chat. */
    locked: (minutes: number) =>
      `Слишком много неверных попыток ввода кода. Идентификация по этому счёту будет доступна через ${minutes} мин.`,
    /**
     * A code request refused as `locked`: today the verification service says so both for too many
     * wrong codes and for too many codes within an hour, so this names no reason it cannot know.
     */
    requestLocked: (minutes: number) =>
      `Новый СМС код по этому лицевому счёту можно будет запросить через ${minutes} мин.`,
    /** Too many codes asked for within an hour or a day (by account, phone or chat), however they were used. */
    limited: ({ minutes, period }: { minutes: number; period: 'hour' | 'day' }) =>
      `За ${period === 'hour' ? 'последний час' : 'последние сутки'} запрошено слишком много СМС кодов. ` +
      `Новый код можно будет запросить через ${formatWait(minutes)}.`,
    linked: (account: string) => `Лицевой счёт ${formatAccount(account)} привязан к чату.`,
  },

  accounts: {
    choose: 'Выберите лицевой счёт.',
    chooseToUnlink: 'Какой лицевой счёт отвязать?',
    unlinked: (account: string) => `Лицевой счёт ${formatAccount(account)} отвязан.`,
  },

  readings: {
    chooseService: 'Выберите услугу.',
    noServices: 'По этому лицевому счёту нет услуг с приборами учёта.',
    chooseMeter: 'Выберите прибор учёта.',
    noMeters: 'По этой услуге нет приборов учёта.',
    periodClosed: (account: string, from: number, to: number) =>
      `Показания по лицевому счёту ${formatAccount(account)} принимаются с ${from} по ${to} число месяца. ` +
      `Пожалуйста, передайте их в эти дни.`,
    period: (from: number, to: number) => `Показания принимаются с ${from} по ${to} число месяца.`,
    meterHeader: (serial: string) => `Прибор учёта № ${serial}.`,
    previous: (zone: string, value: string, unit: string, date: string) =>
      `Предыдущее показание${zone}: ${value} ${unit} от ${date}.`,
    current: (value: string, date: string) =>
      `В этом месяце уже передано показание ${value} (${date}); новое заменит его.`,
    askValue: (zone: string) => `Введите новое показание${zone}.`,
    notNumber: 'Введите показание числом, например 12345 или 12345,6.',
    tooManyDigits: (digits: number) =>
      `На этом приборе учёта не больше ${digits} цифр до запятой. Проверьте показание.`,
    belowPrevious: (previous: string) => `Показание меньше предыдущего (${previous}). Проверьте его и введите ещё раз.`,
    highConsumption: (consumption: string, unit: string) =>
      `Расход ${consumption} ${unit} больше обычного. Показание верное?`,
    summary: (lines: string[]) => `Проверьте показания:\n${lines.join('\n')}\nОтправить?`,
    summaryLine: (zone: string, value: string, consumption: string, unit: string) =>
      `${zone}${value} (расход ${consumption} ${unit})`,
    accepted: 'Показание принято.',
    rejected: (message: string) => `Показание не принято: ${message}`,
    history: (lines: string[]) =>
      lines.length > 0 ? `Последние показания:\n${lines.join('\n')}` : 'Показаний по этому прибору ещё нет.',
  },

  payment: {
    intro: 'Оплата картой без комиссии.',
    /** The order's description, shown by the payment provider on its page (services/worker/effects). */
    description: (account: string) => `Оплата по лицевому счёту ${account}`,
    due: (account: string, total: string, lines: string[]) =>
      `Лицевой счёт ${formatAccount(account)}.\nК оплате: ${total}` +
      `${lines.length > 0 ? `\n${lines.join('\n')}` : ''}\nСумму можно изменить на странице оплаты.`,
    nothingDue: (account: string) =>
      `По лицевому счёту ${formatAccount(account)} задолженности нет. Оплатить авансом можно на странице оплаты.`,
    succeeded: (account: string, amount: string) =>
      `Платёж выполнен успешно.\nЛицевой счёт ${formatAccount(account)}, сумма ${amount}. Спасибо!`,
    /**
     * `tried`: the sum the provider says was tried; `due`: the amount due the chat offered, when
     * the provider says no sum.
     */
    failed: (account: string, sum: { tried?: string; due?: string } = {}) =>
      `Платёж по лицевому счёту ${formatAccount(account)}${sum.tried ? ` на сумму ${sum.tried}` : ''} не прошёл.` +
      `${!sum.tried && sum.due ? ` Сумма к оплате: ${sum.due}.` : ''} Попробуйте ещё раз или оплатите другой картой.`,
    cancelled: (account: string) => `Платёж по лицевому счёту ${formatAccount(account)} отменён.`,
  },

  reminders: {
    due: (account: string, period?: { fromDay: number; toDay: number }) =>
      `Пора передать показания по лицевому счёту ${formatAccount(account)}.` +
      (period ? ` Показания принимаются с ${period.fromDay} по ${period.toDay} число месяца.` : ''),
  },

  contract: {
    documentsTitle: 'Необходимые документы для заключения договора:',
    chooseService: 'Выберите услугу, для которой нужен шаблон договора.',
    chooseDwelling: 'Выберите тип жилья.',
    chooseSettlement: 'Выберите населённый пункт.',
    office: (name: string, address: string, hours: string, phone: string) =>
      `${name}\n${address}\nЧасы работы: ${hours}\nТелефон: ${phone}`,
  },

  settings: {
    intro: 'Настройки чат-бота.',
    /** Consent is asked, never assumed: reminders are off until the customer switches them on. */
    reminders: (on: boolean) =>
      on
        ? 'Напоминания о показаниях включены: в первый день приёма показаний бот напомнит передать их ' +
          'по каждому привязанному лицевому счёту, если показания ещё не переданы.'
        : 'Напоминания о показаниях выключены. Если их включить, в первый день приёма показаний ' +
          'бот напомнит передать их по каждому привязанному лицевому счёту, если показания ещё не переданы.',
    remindersOn: 'Напоминания о показаниях включены.',
    remindersOff: 'Напоминания о показаниях выключены.',
    choose: 'Выберите цвет кнопок.',
    changed: (name: string) => `Цвет кнопок изменён: ${name.toLowerCase()}.`,
  },
} as const;
