import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ChatEvent } from '../../shared/contracts/chat-event.js';
import type { Store } from '../../shared/store/mongo.js';
import type { OutboundReply } from '../../shared/contracts/reply.js';
import { chatDialogue } from '../../machines/dialogue.js';
import { Texts } from '../../machines/texts.js';
import { CHATS_COLLECTION, ChatActor, effectRunner, MongoChatStore } from '../../services/worker/index.js';
import { content } from '../harness/dialogue-driver.js';
import { memoryBilling, memoryPayments } from '../harness/demo-billing.js';
import { freshStore, testLogger } from '../harness/infra.js';
import { billingWithPhones, CapturingSms, keysOf, verificationOn } from './verification-kit.js';

/** What an attacker types where the bot expects an account number, a code or a reading. */
const INJECTIONS = [
  '{"$gt": ""}',
  '{"$ne": null}',
  '$where',
  '{"$where": "sleep(1000)"}',
  'a.b',
  'инзб.12345678',
  'инзб$12345678',
  '__proto__',
  '{"__proto__": {"admin": true}}',
  'constructor',
  "'; db.dropDatabase(); //",
  '$regex',
  '.*',
];

const ACCOUNT = 'инзб12345678';
const PHONE = '79001234567';

/**
 * The worker's path for real: each event applied by a chat's actor (a fresh one each time, so the
 * chat is read back from the store), saved by the Mongo chat store, its effects run by the
 * worker's effect runner, identification by StoredPhoneVerification, all on the test store.
 */
describe('typed text never becomes a query or a stored key (real store)', () => {
  let store: Store;
  let sms: CapturingSms;
  let seq = 0;
  const sent: OutboundReply[] = [];

  beforeAll(async () => {
    store = await freshStore();
    sms = new CapturingSms();
  });
  afterAll(async () => {
    await store.db.dropDatabase();
    await store.close();
  });

  const actor = (chatId: string) => {
    const verification = verificationOn(store.db, {
      billing: billingWithPhones({ [ACCOUNT]: PHONE }),
      sms,
      now: Date.now,
    });
    return new ChatActor(chatId, {
      dialogue: chatDialogue(content),
      store: new MongoChatStore(store.db),
      runEffect: effectRunner({ billing: memoryBilling().gateway, verification, payments: memoryPayments() }, 2_000),
      publishReplies: async (replies: OutboundReply[]) => void sent.push(...replies),
      fence: () => {},
      now: Date.now,
    });
  };

  /** The customer's event through the worker; returns the texts the bot said. */
  async function send(chatId: string, part: Partial<ChatEvent> & Pick<ChatEvent, 'kind'>): Promise<string[]> {
    const before = sent.length;
    seq++;
    const event = { id: `evt-${seq}`, channel: 'viber', chatId, at: Date.now(), ...part } as ChatEvent;
    expect(await actor(chatId).handle(event, seq, { logger: testLogger, correlationId: event.id })).toBe('applied');
    return sent.slice(before).map(({ reply }) => (reply.kind === 'text' ? reply.text : reply.kind));
  }
  const say = (chatId: string, text: string) => send(chatId, { kind: 'text', text });

  async function identify(chatId: string) {
    for (const text of ['Начать', 'Передать показания', 'Запросить СМС код', ACCOUNT]) await say(chatId, text);
    await send(chatId, { kind: 'contact', phone: PHONE });
    expect(await say(chatId, sms.lastCode(PHONE))).toEqual([Texts.identify.linked(ACCOUNT), Texts.accounts.choose]);
  }

  test('as an account number: a polite refusal, and the bot still asks for the number', async () => {
    for (const text of ['Начать', 'Передать показания', 'Запросить СМС код']) await say('chat-account', text);
    for (const attack of INJECTIONS)
      expect(await say('chat-account', attack)).toEqual([Texts.identify.badAccount(attack)]);
    expect(await say('chat-account', ACCOUNT)).toEqual([Texts.identify.askPhone]);
  });

  test('as a shared phone: no match, so no SMS', async () => {
    for (const text of ['Начать', 'Передать показания', 'Запросить СМС код', ACCOUNT]) await say('chat-phone', text);
    const before = sms.calls.length;
    expect(await send('chat-phone', { kind: 'contact', phone: '{"$gt": ""}' })).toEqual([
      Texts.identify.phoneMismatch(content.site),
    ]);
    expect(sms.calls.length).toBe(before);
  });

  test('as an SMS code: «four digits, please», and the right code still works after', async () => {
    for (const text of ['Начать', 'Передать показания', 'Запросить СМС код', ACCOUNT]) await say('chat-code', text);
    await send('chat-code', { kind: 'contact', phone: PHONE });
    for (const attack of INJECTIONS) expect(await say('chat-code', attack)).toEqual([Texts.identify.badCodeFormat]);
    expect((await say('chat-code', sms.lastCode(PHONE)))[0]).toBe(Texts.identify.linked(ACCOUNT));
  });

  test('as a meter reading: «a number, please»', async () => {
    await identify('chat-reading');
    for (const text of [ACCOUNT, 'Электроэнергия', 'Счётчик № 0112233']) await say('chat-reading', text);
    for (const attack of INJECTIONS) expect(await say('chat-reading', attack)).toEqual([Texts.readings.notNumber]);
  });

  test('as a chat id (the sender id Viber gives): stored as a value, found again as a value', async () => {
    for (const chatId of ['$where', 'a.b.c', '{"$gt": ""}']) {
      expect(await say(chatId, 'Начать')).toEqual([Texts.menu]);
      expect(await say(chatId, 'Настройки')).toHaveLength(1);
      expect(await new MongoChatStore(store.db).load(chatId)).toMatchObject({ chatId, version: 2 });
    }
  });

  test('nothing stored has a key from user input: no key starts with $ or holds a dot', async () => {
    const collections = [CHATS_COLLECTION, 'sms_challenges', 'sms_sends', 'sms_attempts'];
    const documents = (await Promise.all(collections.map((name) => store.db.collection(name).find().toArray()))).flat();
    expect(documents.length).toBeGreaterThan(20);
    for (const key of documents.flatMap((document) => [...keysOf(document)])) {
      expect(key.startsWith('$') || key.includes('.'), key).toBe(false);
    }
    // The snapshot is stored as a string; inside it, what the customer typed is only ever a value.
    const snapshotKeys = documents
      .filter((document) => typeof document.snapshot === 'string')
      .flatMap((document) => [...keysOf(JSON.parse(document.snapshot as string))]);
    expect(snapshotKeys.length).toBeGreaterThan(0);
    for (const attack of INJECTIONS) expect(snapshotKeys).not.toContain(attack);
  });
});
