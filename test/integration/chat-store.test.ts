import { beforeAll, describe, expect, test } from 'vitest';
import type { OutboundReply } from '../../shared/contracts/reply.js';
import { chatDialogue as makeDialogue } from '../../machines/dialogue.js';
import { content } from '../harness/dialogue-driver.js';
import {
  ChatActor,
  KEEP_VERSIONS,
  MongoChatStore,
  type ChatRecord,
  type ChatStore,
} from '../../services/worker/index.js';
import { suiteStore, testLogger } from '../harness/infra.js';

const chatDialogue = makeDialogue(content);

describe('chats in the store (MongoDB protocol, real server)', () => {
  const store = suiteStore();
  let chats: MongoChatStore;
  beforeAll(() => {
    chats = new MongoChatStore(store.db);
  });

  const record = (chatId: string, version: number, snapshot: unknown = { value: 'menu' }): ChatRecord => ({
    chatId,
    machineVersion: 1,
    snapshot,
    version,
    lastEventSeq: version,
    outbox: [],
    recentEventIds: [],
    pendingEffects: [],
    timers: [],
  });

  test('a snapshot with dots and dollars in its keys comes back exactly', async () => {
    const snapshot = {
      value: { 'chat.readings': 'meter' },
      historyValue: { 'chat.readings.zone': [{ id: 'a.b' }] },
      context: { $weird: 1, 'x.y': [1, 2] },
    };
    expect(await chats.save(record('dots', 1, snapshot), 0)).toBe(true);
    expect((await chats.load('dots'))?.snapshot).toEqual(snapshot);
  });

  test('optimistic versioning: a second writer holding an old version is refused', async () => {
    expect(await chats.save(record('race', 1), 0)).toBe(true);
    expect(await chats.save(record('race', 1), 0)).toBe(false); // a concurrent first insert
    expect(await chats.save(record('race', 2), 1)).toBe(true);
    expect(await chats.save(record('race', 2), 1)).toBe(false); // lost the race to the save above
    expect((await chats.load('race'))?.version).toBe(2);
  });

  test('of many writers saving the same next version at once, exactly one succeeds', async () => {
    expect(await chats.save(record('crowd', 1), 0)).toBe(true);
    for (let round = 2; round < 12; round++) {
      const results = await Promise.all(Array.from({ length: 8 }, () => chats.save(record('crowd', round), round - 1)));
      expect(results.filter(Boolean)).toHaveLength(1);
    }
    expect((await chats.load('crowd'))?.version).toBe(11);
  });

  test('old versions are deleted, the latest ones kept', async () => {
    for (let version = 1; version <= 40; version++)
      expect(await chats.save(record('long', version), version - 1)).toBe(true);
    const versions = await store.db.collection('chats').countDocuments({ _id: { $regex: '^long#' } as never });
    expect(versions).toBe(KEEP_VERSIONS + (40 % KEEP_VERSIONS));
    expect((await chats.load('long'))?.version).toBe(40);
  });

  test('a writer holding a version within KEEP_VERSIONS of the latest cannot slip in under it', async () => {
    for (let version = 1; version <= 20; version++) await chats.save(record('stale', version), version - 1);
    expect(await chats.save(record('stale', 4), 3)).toBe(false);
    expect((await chats.load('stale'))?.version).toBe(20);
    expect((await chats.load('stale'))?.lastEventSeq).toBe(20);
  });

  test('a head left behind by concurrent writers still leads to the latest version', async () => {
    for (let version = 1; version <= 5; version++) await chats.save(record('lagging', version), version - 1);
    await store.db
      .collection('chats')
      .updateOne({ _id: 'lagging' as never }, { $set: { version: 2, snapshot: JSON.stringify({ value: 'old' }) } });
    // An ordinary load trusts the head; the save built on it is refused, and a verifying load finds the truth.
    expect((await chats.load('lagging'))?.version).toBe(2);
    expect(await chats.save(record('lagging', 3), 2)).toBe(false);
    expect(await chats.load('lagging', { verify: true })).toMatchObject({ version: 5, snapshot: { value: 'menu' } });
    expect(await chats.save(record('lagging', 6), 5)).toBe(true);
  });

  test('an unknown chat is null, not an error', async () => {
    expect(await chats.load('nobody')).toBeNull();
  });
});

describe('applying a chat event exactly once', () => {
  const store = suiteStore();

  const event = (id: string, chatId: string, text: string) => ({
    id,
    channel: 'viber' as const,
    chatId,
    at: Date.now(),
    kind: 'text' as const,
    text,
  });
  const turn = { logger: testLogger, correlationId: 'test' };

  /** A chat's actor as a worker makes it on activation: its state is read from the store on its first turn. */
  function actor(chatId: string, published: OutboundReply[][] = [], chats: ChatStore = new MongoChatStore(store.db)) {
    return new ChatActor(chatId, {
      dialogue: chatDialogue,
      store: chats,
      publishReplies: async (replies) => void published.push(replies),
      runEffect: async () => ({ ok: false, error: { message: 'no effects in these chats' } }),
      fence: () => {},
      now: Date.now,
    });
  }
  const versionExists = async (chatId: string, version: number) =>
    (await store.db.collection('chats').findOne({ _id: `${chatId}#${version}` as never })) !== null;

  test('a redelivered event runs no second turn and publishes the same replies (same ids) again', async () => {
    const published: OutboundReply[][] = [];
    expect(await actor('c1', published).handle(event('t1', 'c1', 'Начать'), 10, turn)).toBe('applied');
    expect(await actor('c1', published).handle(event('t1', 'c1', 'Начать'), 10, turn)).toBe('redelivered');
    expect(published).toHaveLength(2);
    expect(published[1]).toEqual(published[0]);
    expect(published[0]!.map((r) => r.id)).toEqual(['t1:0']);
    expect((await new MongoChatStore(store.db).load('c1'))?.version).toBe(1);
  });

  test('the same callback stored twice under two sequences runs one turn', async () => {
    const published: OutboundReply[][] = [];
    expect(await actor('c4', published).handle(event('same', 'c4', 'Начать'), 40, turn)).toBe('applied');
    expect(await actor('c4', published).handle(event('next', 'c4', 'Оплатить'), 41, turn)).toBe('applied');
    expect(await actor('c4', published).handle(event('same', 'c4', 'Начать'), 42, turn)).toBe('duplicate');
    expect(published).toHaveLength(2);
  });

  test('an event older than the last applied one is acknowledged without effect', async () => {
    const published: OutboundReply[][] = [];
    await actor('c2', published).handle(event('a', 'c2', 'Начать'), 20, turn);
    expect(await actor('c2', published).handle(event('b', 'c2', 'Оплатить'), 19, turn)).toBe('stale');
    expect(published).toHaveLength(1);
  });

  test('losing a race to another writer re-runs the turn on the winner’s state', async () => {
    const real = new MongoChatStore(store.db);
    let interfered = false;
    const racingStore: ChatStore = {
      load: (chatId, options) => real.load(chatId, options),
      async save(record, expected) {
        if (!interfered) {
          interfered = true;
          // Another worker saves its own turn first.
          await real.save(
            {
              ...record,
              snapshot: { ...(record.snapshot as object) },
              lastEventSeq: 29,
              outbox: [],
              recentEventIds: ['another-event'],
            },
            expected,
          );
        }
        return real.save(record, expected);
      },
    };
    expect(await actor('c3', [], racingStore).handle(event('x', 'c3', 'Начать'), 30, turn)).toBe('applied');
    expect((await real.load('c3'))?.version).toBe(2);
  });

  test('two live actors of one chat: the one behind is refused, re-reads and runs the turn once', async () => {
    const published: OutboundReply[][] = [];
    // The old holder has the chat live at version 1; a new holder applies the next event meanwhile.
    const stale = actor('two', published);
    expect(await stale.handle(event('e1', 'two', 'Начать'), 1, turn)).toBe('applied');
    expect(await actor('two').handle(event('e2', 'two', 'Оплатить'), 2, turn)).toBe('applied');
    expect(await versionExists('two', 2)).toBe(true);

    // The old holder, finishing late, builds on version 1: its save is refused and nothing leaves it.
    expect(await stale.handle(event('e3', 'two', 'В меню'), 3, turn)).toBe('applied');
    expect(stale.reruns).toBe(1);
    // The turn ran once, on the latest state: one more version, built on the new holder's.
    expect(await versionExists('two', 3)).toBe(true);
    expect(await versionExists('two', 4)).toBe(false);
    const latest = await new MongoChatStore(store.db).load('two', { verify: true });
    expect(latest).toMatchObject({ version: 3, lastEventSeq: 3, recentEventIds: ['e1', 'e2', 'e3'] });
    expect(latest?.snapshot).toMatchObject({ value: 'menu' });
    expect(published.map((replies) => replies.map((r) => r.id))).toEqual([['e1:0'], ['e3:0']]);
  });
});
