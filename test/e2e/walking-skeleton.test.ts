import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connectBus, Streams, type Bus } from '../../shared/bus/bus.js';
import { SIGNATURE_HEADER } from '../../shared/viber/signature.js';
import { MENU_ITEMS, Texts } from '../../machines/texts.js';
import { DEFAULT_BUTTON_COLOR } from '../../machines/keyboards.js';
import { CHAT_MACHINE_VERSION } from '../../machines/chat.machine.js';
import { CHATS_COLLECTION } from '../../services/worker/index.js';
import { Callbacks, postCallback, toViberJson } from '../../fakes/viber/callbacks.js';
import type { SentMessage } from '../../fakes/viber/app.js';
import { eventually, natsUrl, testLogger } from '../harness/infra.js';
import { suiteStack } from '../harness/suite-stack.js';

const AUTH_TOKEN = 'e2e-bot-token';

describe('walking skeleton: Viber webhook → JetStream → chat actor in the store → Viber API, as real processes', () => {
  const { stack, store } = suiteStack({ authToken: AUTH_TOKEN });
  let bus: Bus;
  const webhook = () => `${stack.ingressUrl}/viber/webhook`;
  const sentTo = async (receiver: string): Promise<SentMessage[]> =>
    (await fetch(`${stack.fakeViberUrl}/_fake/messages?receiver=${encodeURIComponent(receiver)}`)).json() as Promise<
      SentMessage[]
    >;
  const waitForMessages = (receiver: string, count: number) =>
    eventually(async () => {
      const messages = await sentTo(receiver);
      return messages.length >= count ? messages : undefined;
    }, `${count} message(s) to ${receiver}`);
  const chatDoc = (chatId: string) => store.db.collection<{ _id: string }>(CHATS_COLLECTION).findOne({ _id: chatId });
  const storedEvents = async () => (await bus.jsm.streams.info(Streams.Events.name)).state.messages;

  beforeAll(async () => {
    bus = await connectBus(natsUrl(), 'walking-skeleton-test', testLogger);
  });
  afterAll(async () => {
    await bus?.close();
  });

  test(
    'conversation_started is answered with the welcome in the HTTP response, ' + 'and the chat actor learns of it',
    async () => {
      const chatId = `u-${randomUUID()}`;
      const answer = await postCallback(webhook(), Callbacks.conversationStarted(chatId), AUTH_TOKEN);

      expect(answer.status).toBe(200);
      const welcome = JSON.parse(answer.body);
      expect(welcome).not.toHaveProperty('receiver');
      expect(welcome).toMatchObject({
        type: 'text',
        text: Texts.welcome,
        sender: { name: 'Иркутскэнергосбыт' },
        keyboard: {
          Type: 'keyboard',
          Buttons: [{ ActionType: 'reply', ActionBody: 'Начать', Text: 'Начать', BgColor: DEFAULT_BUTTON_COLOR }],
        },
      });
      const doc = await eventually(() => chatDoc(chatId).then((d) => d ?? undefined), 'the chat document');
      expect(JSON.parse((doc as any).snapshot).value).toBe('awaitingStart');
      expect(await sentTo(chatId)).toEqual([]);
    },
  );

  test('a later welcome is in the button colour the customer chose in «Настройки»', async () => {
    const chatId = `u-${randomUUID()}`;
    const lines = ['Начать', 'Настройки', 'Цвет кнопок', 'Зелёный'];
    for (const [index, line] of lines.entries()) {
      await postCallback(webhook(), Callbacks.text(chatId, line), AUTH_TOKEN);
      await waitForMessages(chatId, index + 1);
    }
    const answer = await postCallback(webhook(), Callbacks.conversationStarted(chatId), AUTH_TOKEN);
    expect(JSON.parse(answer.body).keyboard.Buttons[0].BgColor).toBe('#DFF5E1');
  });

  test(
    'a signed «Начать» gets the main menu with the seven items of the manual, ' + 'and the snapshot is saved',
    async () => {
      const chatId = `u-${randomUUID()}`;
      const answer = await postCallback(webhook(), Callbacks.text(chatId, 'Начать'), AUTH_TOKEN);
      expect(answer).toEqual({ status: 200, body: '{"status":0}' });

      const [menu] = await waitForMessages(chatId, 1);
      expect(menu!.body).toEqual({
        receiver: chatId,
        type: 'text',
        text: Texts.menu,
        sender: { name: 'Иркутскэнергосбыт' },
        tracking_data: '""',
        keyboard: {
          Type: 'keyboard',
          DefaultHeight: false,
          Buttons: MENU_ITEMS.map((item, index) => ({
            Columns: index === MENU_ITEMS.length - 1 ? 6 : 3,
            Rows: 1,
            BgColor: DEFAULT_BUTTON_COLOR,
            Text: item,
            TextSize: 'regular',
            ActionType: 'reply',
            ActionBody: item,
          })),
        },
      });
      expect(MENU_ITEMS).toEqual([
        'Передать показания',
        'Оплатить',
        'Заключить договор',
        'Сервисный центр',
        'Личный кабинет',
        'Настройки',
        'Поддержка бота',
      ]);

      const doc: any = await chatDoc(chatId);
      expect(doc).toMatchObject({ machineVersion: CHAT_MACHINE_VERSION, version: 1 });
      expect(JSON.parse(doc.snapshot)).toMatchObject({
        status: 'active',
        value: 'menu',
        context: { buttonColor: DEFAULT_BUTTON_COLOR },
      });
    },
  );

  test('a menu item opens its section, unknown text gets a hint and the menu, in order', async () => {
    const chatId = `u-${randomUUID()}`;
    for (const text of ['Начать', 'Оплатить', 'В меню', 'что-то непонятное']) {
      expect((await postCallback(webhook(), Callbacks.text(chatId, text), AUTH_TOKEN)).status).toBe(200);
    }
    const messages = await waitForMessages(chatId, 4);
    expect(messages.map((m) => m.body.text)).toEqual([Texts.menu, Texts.payment.intro, Texts.menu, Texts.unknown]);
    expect((messages[1]!.body.keyboard as { Buttons: { Text: string }[] }).Buttons.map((b) => b.Text)).toEqual([
      'Оплатить картой',
      'В меню',
    ]);
    expect((messages[3]!.body.keyboard as { Buttons: unknown[] }).Buttons.length).toBe(7);
  });

  test('Viber resending a callback with the same message_token makes one turn and one reply', async () => {
    const chatId = `u-${randomUUID()}`;
    const callback = Callbacks.text(chatId, 'Начать');
    for (let i = 0; i < 3; i++) expect((await postCallback(webhook(), callback, AUTH_TOKEN)).status).toBe(200);
    await postCallback(webhook(), Callbacks.text(chatId, 'Настройки'), AUTH_TOKEN);

    const messages = await waitForMessages(chatId, 2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await sentTo(chatId)).map((m) => m.body.text)).toEqual([Texts.menu, Texts.settings.intro]);
    expect(messages).toHaveLength(2);
  });

  test('a wrong or missing signature gets 403 and nothing reaches NATS', async () => {
    const before = await storedEvents();
    const body = toViberJson(Callbacks.text(`u-${randomUUID()}`, 'Начать'));
    const wrong = await fetch(webhook(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: 'ab'.repeat(32) },
      body,
    });
    const missing = await fetch(webhook(), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const otherKey = await postCallback(webhook(), Callbacks.text(`u-${randomUUID()}`, 'Начать'), 'not-the-bot-token');

    expect([wrong.status, missing.status, otherKey.status]).toEqual([403, 403, 403]);
    expect(await storedEvents()).toBe(before);
  });

  test('the ids of every turn are in the services’ JSON logs under one correlation id', async () => {
    const chatId = `u-${randomUUID()}`;
    await postCallback(webhook(), Callbacks.text(chatId, 'Начать'), AUTH_TOKEN);
    await waitForMessages(chatId, 1);
    const [ingress, worker, outbound] = ['ingress', 'worker', 'outbound'].map((name) =>
      stack.services.find((s) => s.name === name)!,
    );
    const accepted = ingress!.logs.filter((line) => line.msg === 'callback accepted').at(-1)!;
    const correlationId = accepted.correlationId as string;
    await eventually(
      () =>
        outbound!.logs.some((l) => l.correlationId === correlationId && l.msg === 'reply sent') ? true : undefined,
      'outbound log',
    );
    expect(worker!.logs.some((l) => l.correlationId === correlationId && l.msg === 'turn')).toBe(true);
    const everything = JSON.stringify([...ingress!.logs, ...worker!.logs, ...outbound!.logs]);
    expect(everything).not.toContain(chatId);
    expect(everything).not.toContain(AUTH_TOKEN);
  });
});
