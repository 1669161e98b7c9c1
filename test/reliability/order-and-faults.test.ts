import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { connectBus } from '../../shared/bus/bus.js';
import { listDeadLetters } from '../../shared/bus/dead-letters.js';
import { connectStore } from '../../shared/store/mongo.js';
import { MongoChatStore } from '../../services/worker/index.js';
import { eventually, freshBus, mongoUrl, natsUrl, testLogger } from '../harness/infra.js';
import { startService, startStack, waitForLog, type Stack } from '../harness/processes.js';
import { collectReplies, expectedReplies, runTraffic, SCRIPT } from '../harness/traffic.js';

const AUTH_TOKEN = 'reliability-token';
/** Short, so a killed process's message comes back within the test. */
const FAST_REDELIVERY = { ACK_WAIT_MS: '2000', RETRY_BASE_MS: '50' };

let expected: string[];
let stack: Stack | undefined;

beforeAll(async () => {
  expected = await expectedReplies();
});
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function start(options: { workers?: number; extraEnv?: Record<string, string> } = {}) {
  await (await freshBus()).close();
  const mongoDb = `rel_${randomUUID().slice(0, 8)}`;
  stack = await startStack({
    natsUrl: natsUrl(),
    mongoUrl: mongoUrl(),
    mongoDb,
    authToken: AUTH_TOKEN,
    ...options,
    extraEnv: { ...FAST_REDELIVERY, ...options.extraEnv },
  });
  return { stack, mongoDb };
}

const chats = (n: number) => Array.from({ length: n }, (_, i) => `rel-${i}-${randomUUID().slice(0, 6)}`);

/** Every chat got exactly the expected replies, in order: nothing lost, nothing twice, nothing swapped. */
async function expectEveryChatAnsweredOnceInOrder(current: Stack, chatIds: string[]) {
  const replies = await collectReplies(current.fakeViberUrl, chatIds, expected.length);
  for (const chatId of chatIds) expect(replies.get(chatId), chatId).toEqual(expected);
}

async function latestVersions(mongoDb: string, chatIds: string[]) {
  const store = await connectStore(mongoUrl(), mongoDb);
  try {
    const chats = new MongoChatStore(store.db);
    const latest: (number | undefined)[] = [];
    for (const chatId of chatIds) latest.push((await chats.load(chatId))?.version);
    return latest;
  } finally {
    await store.close();
  }
}

describe('nothing lost, nothing twice, in order', () => {
  test(
    'four worker processes, many chats interleaved: ' + 'each chat’s replies in order, no snapshot update lost',
    async () => {
      const { stack, mongoDb } = await start({ workers: 4 });
      const chatIds = chats(24);
      await runTraffic({ webhookUrl: `${stack.ingressUrl}/viber/webhook`, authToken: AUTH_TOKEN, chatIds });
      await expectEveryChatAnsweredOnceInOrder(stack, chatIds);
      expect(await latestVersions(mongoDb, chatIds)).toEqual(chatIds.map(() => SCRIPT.length));
      const turnsPerWorker = stack.services
        .filter((s) => s.name === 'worker')
        .map((w) => w.logs.filter((l) => l.msg === 'turn').length);
      expect(turnsPerWorker.filter((turns) => turns > 0).length).toBeGreaterThan(1);
    },
  );

  test.each([
    ['loaded', 'before the new state is saved'],
    ['saved', 'after saving, before the replies are published and the event acknowledged'],
    ['published', 'after publishing, before the event is acknowledged'],
  ])('a worker killed with SIGKILL %s (%s): the event is redelivered, each reply sent once', async (step) => {
    const onceFile = join(mkdtempSync(join(tmpdir(), 'chaos-')), 'killed');
    const { stack, mongoDb } = await start({
      workers: 2,
      extraEnv: { CHAOS_KILL_AT: step, CHAOS_ONCE_FILE: onceFile },
    });
    const chatIds = chats(6);
    await runTraffic({ webhookUrl: `${stack.ingressUrl}/viber/webhook`, authToken: AUTH_TOKEN, chatIds });
    await expectEveryChatAnsweredOnceInOrder(stack, chatIds);
    expect(existsSync(onceFile)).toBe(true);
    expect(stack.services.filter((s) => s.name === 'worker').some((w) => w.child.signalCode === 'SIGKILL')).toBe(true);
    expect(await latestVersions(mongoDb, chatIds)).toEqual(chatIds.map(() => SCRIPT.length));
  });

  // One chat, so that no other partition has a send in flight when the process dies: such a send
  // (delivered to Viber, not yet recorded) is the one duplicate SIGKILL can cause (see README).
  test('outbound killed after sending a reply but before acknowledging it does not send it again', async () => {
    const onceFile = join(mkdtempSync(join(tmpdir(), 'chaos-')), 'killed');
    const { stack } = await start({ extraEnv: { CHAOS_KILL_AT: 'sent', CHAOS_ONCE_FILE: onceFile } });
    const chatIds = chats(1);
    const replacement = { started: false };
    await runTraffic({
      webhookUrl: `${stack.ingressUrl}/viber/webhook`,
      authToken: AUTH_TOKEN,
      chatIds,
      onProgress: async () => {
        // The only outbound died: start another, as a supervisor would.
        if (!replacement.started && existsSync(onceFile)) {
          replacement.started = true;
          const outbound = startService('outbound', stack.env);
          stack.services.push(outbound);
          await waitForLog(outbound, 'started');
        }
      },
    });
    if (!replacement.started) {
      const outbound = startService('outbound', stack.env);
      stack.services.push(outbound);
    }
    await expectEveryChatAnsweredOnceInOrder(stack, chatIds);
    expect(stack.services.find((s) => s.name === 'outbound')!.child.signalCode).toBe('SIGKILL');
  });

  test(
    'workers added and one stopped with SIGTERM while traffic flows: ' + 'all kept, the stopped one exits cleanly',
    async () => {
      const { stack } = await start({ workers: 1 });
      const chatIds = chats(12);
      let scaled = false;
      let stoppedWith: number | null | undefined;
      await runTraffic({
        webhookUrl: `${stack.ingressUrl}/viber/webhook`,
        authToken: AUTH_TOKEN,
        chatIds,
        onProgress: async (sent) => {
          if (!scaled && sent > 20) {
            scaled = true;
            const added = [startService('worker', stack.env), startService('worker', stack.env)];
            stack.services.push(...added);
            await Promise.all(added.map((w) => waitForLog(w, 'started')));
            const first = stack.services.find((s) => s.name === 'worker')!;
            stoppedWith = await first.stop('SIGTERM');
          }
        },
      });
      await expectEveryChatAnsweredOnceInOrder(stack, chatIds);
      expect(stoppedWith).toBe(0);
    },
  );

  test(
    'the Viber API rate-limiting, failing with 5xx and timing out: ' + 'retried with backoff, still once and in order',
    async () => {
      const { stack } = await start({ extraEnv: { SEND_TIMEOUT_MS: '500' } });
      const faults = [
        { status: 12 },
        { httpStatus: 502 },
        { status: 12 },
        { delayMs: 1200 },
        { httpStatus: 503 },
        { status: 12 },
      ];
      await fetch(`${stack.fakeViberUrl}/_fake/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(faults),
      });
      const chatIds = chats(4);
      await runTraffic({ webhookUrl: `${stack.ingressUrl}/viber/webhook`, authToken: AUTH_TOKEN, chatIds });
      await expectEveryChatAnsweredOnceInOrder(stack, chatIds);
      const outbound = stack.services.find((s) => s.name === 'outbound')!;
      expect(outbound.logs.filter((l) => l.msg === 'reply not sent; will retry').length).toBeGreaterThanOrEqual(
        faults.length - 1,
      );
    },
  );

  test(
    'a permanent refusal is not retried but filed as a dead letter, ' +
      'the chat parked; the replay command sends it in order',
    async () => {
      const { stack } = await start();
      const chatId = chats(1)[0]!;
      await fetch(`${stack.fakeViberUrl}/_fake/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ status: 6 }]),
      });
      await runTraffic({
        webhookUrl: `${stack.ingressUrl}/viber/webhook`,
        authToken: AUTH_TOKEN,
        chatIds: [chatId],
        script: ['Начать', 'Настройки'],
      });

      const bus = await connectBus(natsUrl(), 'test-replay', testLogger);
      try {
        // The refused reply heads the chat's letters; the next one waits behind it, unsent.
        const letters = await eventually(async () => {
          const filed = await listDeadLetters(bus.jsm, 'outbound');
          return filed.length === 2 ? filed : undefined;
        }, 'two letters');
        expect(letters[0]).toMatchObject({
          group: 'outbound',
          deliveries: 1,
          reason: expect.stringContaining('Viber status 6'),
        });
        expect(letters[1]?.reason).toBe(`parked behind ${letters[0]?.originalSeq}`);
      } finally {
        await bus.close();
      }
      // The operator's command, as a process of its own; it fails (rejects) unless every chat was unparked.
      const replay = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'tools/cli/replay-dead-letters.ts', '--replay'],
        { env: { ...process.env, ...stack.env } },
      );
      expect(replay.stdout).toMatch(/unparked/);
      const after = await collectReplies(stack.fakeViberUrl, [chatId], 2);
      expect(after.get(chatId)).toEqual(await expectedReplies(['Начать', 'Настройки']));
    },
  );
});
