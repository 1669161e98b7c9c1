/** The bot's words, in the manual's Russian. Issue #3 moves content that changes often into data. */
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

export const Texts = {
  welcome:
    'Здравствуйте! Я бот-консультант ООО «Иркутскэнергосбыт». Здесь можно передать показания счётчиков, ' +
    'оплатить услуги без комиссии и узнать о заключении договора. Чтобы начать, напишите «Начать».',
  startHint: 'Чтобы начать, напишите «Начать» или нажмите кнопку ниже.',
  menu: 'Выберите раздел в меню ниже.',
  unknown: 'Не понял вас. Выберите, пожалуйста, раздел в меню ниже.',
  notText: 'Я понимаю только текст и кнопки меню. Выберите, пожалуйста, раздел ниже.',
  placeholder: (item: MenuItem) => `Раздел «${item}» скоро заработает. А пока выберите другой раздел.`,
} as const;
