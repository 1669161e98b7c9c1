import { expect } from 'vitest';
import type { Reply } from '../../shared/contracts/reply.js';
import { renderViberMessage } from '../../shared/viber/render.js';
import { validateSendMessage } from '../../fakes/viber/validate.js';
import { MENU_ITEMS } from '../../machines/texts.js';
import { dialogueDriver } from '../harness/dialogue-driver.js';
import { memoryBilling, memoryPayments, scriptedVerification } from '../harness/demo-billing.js';

/** A chat on the real machine, with the in-memory billing, SMS and payments of the harness. */
export const newChat = () =>
  dialogueDriver({
    billing: memoryBilling().gateway,
    verification: scriptedVerification(),
    payments: memoryPayments(),
  });
export type Chat = ReturnType<typeof newChat>;

/** What a customer can do: type, press a button (the same), or send something that is not text. */
export type CustomerInput =
  | { type: 'chat.text'; text: string }
  | { type: 'chat.contact'; phone?: string }
  | { type: 'chat.location'; lat: number; lon: number }
  | { type: 'chat.media'; mediaType: string };

export const text = (value: string): CustomerInput => ({ type: 'chat.text', text: value });

/** Why Viber would refuse a reply as the bot sends it, or null. */
export function viberRefusal(reply: Reply): string | null {
  const body = renderViberMessage(reply, { name: 'Иркутскэнергосбыт' }, 'receiver-id');
  return validateSendMessage(body, Buffer.byteLength(JSON.stringify(body)))?.message ?? null;
}

/** Every reply is one Viber accepts. */
export function expectValidForViber(replies: Reply[]): void {
  for (const reply of replies) expect(viberRefusal(reply), JSON.stringify(reply).slice(0, 300)).toBeNull();
}

/** The customer gets an answer they can act on: at least one reply, the last with buttons. */
export function expectPoliteAnswer(replies: Reply[]): void {
  expect(replies.length).toBeGreaterThan(0);
  expectValidForViber(replies);
  expect(replies.at(-1)?.keyboard?.buttons.length ?? 0).toBeGreaterThan(0);
}

/** «В меню» leads to the main menu, with nothing half-done kept. */
export async function expectBackToMenu(chat: Chat): Promise<void> {
  const replies = await chat.say('В меню');
  expect(chat.buttons(replies)).toEqual(MENU_ITEMS);
  expect(chat.state()).toMatchObject({ value: 'menu', status: 'active' });
  const { identifying, reading, payment } = chat.state()!.context;
  expect({ identifying, reading, payment }).toEqual({ identifying: undefined, reading: undefined, payment: undefined });
}

/** Sends each input in turn. */
export async function walk(chat: Chat, path: readonly CustomerInput[]): Promise<Reply[]> {
  let replies: Reply[] = [];
  for (const input of path) replies = await chat.send(input);
  return replies;
}

const IDENTIFIED = [
  text('Начать'),
  text('Передать показания'),
  text('Запросить СМС код'),
  text('инзб12345678'),
  { type: 'chat.contact', phone: '+79001234567' },
  text('123456'),
] as const;
const METER = [...IDENTIFIED, text('инзб12345678'), text('Электроэнергия'), text('Счётчик № 0112233')] as const;

/** Every screen of the dialogue, and the way to it from a new chat. */
export const SCREENS: Readonly<Record<string, readonly CustomerInput[]>> = {
  'before «Начать»': [],
  'main menu': [text('Начать')],
  'identification intro': IDENTIFIED.slice(0, 2),
  'account number': IDENTIFIED.slice(0, 3),
  'share phone': IDENTIFIED.slice(0, 4),
  'SMS code': IDENTIFIED.slice(0, 5),
  'choose account': IDENTIFIED,
  'unlink account': [...IDENTIFIED, text('Отвязать лицевой счёт')],
  'choose service': [...IDENTIFIED, text('инзб12345678')],
  'choose meter': METER.slice(0, -1),
  'enter reading': METER,
  'confirm a high consumption': [...METER, text('14000')],
  'confirm the readings': [...METER, text('12100'), text('5100')],
  'payment intro': [text('Начать'), text('Оплатить')],
  'payment link': [...IDENTIFIED, text('В меню'), text('Оплатить'), text('Оплатить картой'), text('инзб12345678')],
  contract: [text('Начать'), text('Заключить договор')],
  'contract templates': [text('Начать'), text('Заключить договор'), text('Шаблоны договоров')],
  'contract dwelling': [text('Начать'), text('Заключить договор'), text('Шаблоны договоров'), text('Электроснабжение')],
  offices: [text('Начать'), text('Заключить договор'), text('Офисы компании')],
  'service centre': [text('Начать'), text('Сервисный центр')],
  'personal cabinet': [text('Начать'), text('Личный кабинет')],
  settings: [text('Начать'), text('Настройки')],
  'button colours': [text('Начать'), text('Настройки'), text('Цвет кнопок')],
  support: [text('Начать'), text('Поддержка бота')],
};
