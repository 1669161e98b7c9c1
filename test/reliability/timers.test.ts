import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, test } from 'vitest';
import { freePort, startNats, type LocalServer } from '../../tools/dev/local-servers.js';
import { connectBus, partitionOf, partitionSubject, Streams } from '../../shared/bus/bus.js';
import { TIMERS_SUBJECT } from '../../shared/bus/timers.js';
import type { TimerFired } from '../../shared/contracts/timer.js';
import { Buttons, Texts } from '../../machines/texts.js';
import { freshBus, freshStore, mongoUrl, natsUrl, testLogger } from '../harness/infra.js';
import { startService, startStack, waitForLog, type Stack } from '../harness/processes.js';
import { conversation } from '../harness/conversation.js';

const AUTH_TOKEN = 'timers-token';
/** Time compressed: a code lives 6 s, a dead worker's lease 2 s. */
const FAST = {
  CODE_TTL_MS: '6000',
  LEASE_TTL_MS: '2000',
  ACK_WAIT_MS: '3000',
  RETRY_BASE_MS: '100',
  MAX_DELIVERIES: '40',
};
const PARTITIONS = 4;

const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function stackOn(nats: string): Promise<Stack> {
  const store = await freshStore();
  const stack = await startStack({
    natsUrl: nats,
    mongoUrl: mongoUrl(),
    mongoDb: store.db.databaseName,
    authToken: AUTH_TOKEN,
    extraEnv: FAST,
  });
  cleanup.push(async () => {
    await store.db.dropDatabase();
    await store.close();
  });
  cleanup.push(() => stack.stop());
  return stack;
}

/** A customer on the SMS code screen; resolves when the code was sent (the timer is armed then). */
async function onCodeScreen(stack: Stack) {
  const customer = conversation(stack, `t-${randomUUID()}`, AUTH_TOKEN);
  await customer.say('Начать');
  await customer.say('Передать показания');
  await customer.say(Buttons.RequestCode);
  await customer.say('инзб12345678');
  expect(customer.texts(await customer.shareContact('+79001234567'))).toEqual([
    Texts.identify.codeSent('+7 ••• •••-45-67'),
  ]);
  return customer;
}

/** Every message the fake Viber API got for the chat, as texts. */
async function allTexts(stack: Stack, chatId: string): Promise<string[]> {
  const sent = (await (
    await fetch(`${stack.fakeViberUrl}/_fake/messages?receiver=${encodeURIComponent(chatId)}`)
  ).json()) as { body: { text?: string } }[];
  return sent.map((m) => String(m.body.text));
}

const expiredTimes = async (stack: Stack, chatId: string) =>
  (await allTexts(stack, chatId)).filter((t) => t === Texts.identify.expired).length;

describe('durable timers: the code screen says once that the code expired', () => {
  test('the timer fires after the worker holding the chat is killed (SIGKILL) and another starts', async () => {
    await (await freshBus()).close();
    const stack = await stackOn(natsUrl());
    const customer = await onCodeScreen(stack);
    const started = Date.now();
    // What a person sees: `npm run timers` lists the armed timer, its time and its schedule on the bus.
    const listed = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'tools/cli/timers.ts', '--user', customer.chatId],
      { env: { ...process.env, ...stack.env } },
    );
    expect(listed.stdout).toMatch(
      /- xstate\.after\.codeExpiry\.chat\.identify\.askCode: due .* on the bus: @at \d{4}-/,
    );
    const worker = stack.services.find((s) => s.name === 'worker')!;
    await worker.stop('SIGKILL');
    const next = startService('worker', stack.env);
    cleanup.push(() => next.stop());
    await waitForLog(next, 'worker ready');
    const said = await customer.replies(20_000);
    expect(customer.texts(said)).toEqual([Texts.identify.expired]);
    expect(customer.buttons(said).map((b) => b.Text)).toContain(Buttons.ResendCode);
    // Not before the code's time (6 s from the send, which came before `started`).
    expect(Date.now() - started).toBeGreaterThan(3_000);
    await sleep(2_000);
    expect(await expiredTimes(stack, customer.chatId)).toBe(1);
  });

  test('the timer fires after nats-server is killed (SIGKILL) and restarted on its data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'timers-nats-'));
    const port = await freePort();
    let server: LocalServer = await startNats({ dataDir: dir, port });
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    cleanup.push(() => server.stop());
    const stack = await stackOn(server.url);
    const customer = await onCodeScreen(stack);
    server.process.kill('SIGKILL');
    await sleep(1_500);
    for (let attempt = 1; ; attempt++) {
      try {
        server = await startNats({ dataDir: dir, port });
        break;
      } catch (error) {
        if (attempt === 5) throw error;
        await sleep(500);
      }
    }
    expect(customer.texts(await customer.replies(30_000))).toEqual([Texts.identify.expired]);
    await sleep(2_000);
    expect(await expiredTimes(stack, customer.chatId)).toBe(1);
  });

  test(
    'a cancelled timer never fires, a stale one is dropped, ' +
      'and a timer keeps its place among the customer’s messages',
    async () => {
      await (await freshBus()).close();
      const stack = await stackOn(natsUrl());
      const bus = await connectBus(natsUrl(), 'timers-test', testLogger);
      cleanup.push(() => bus.close());

      // Cancelled: the customer leaves the code screen; nothing is said when the code expires.
      const leaving = await onCodeScreen(stack);
      await leaving.say('В меню');
      // Stale: a fired timer whose arming the chat does not hold (a copy, or one from a state left).
      const stale: TimerFired = {
        kind: 'timer',
        chatId: leaving.chatId,
        channel: 'viber',
        token: 'e-gone~xstate.after.codeExpiry',
        timerId: 'xstate.after.codeExpiry',
        at: Date.now(),
        event: { type: 'xstate.after.codeExpiry.chat.identify.askCode' },
      };
      await bus.js.publish(
        partitionSubject(Streams.Events, partitionOf(leaving.chatId, PARTITIONS)),
        JSON.stringify(stale),
      );

      // Order: the customer keeps typing (each answered «Код состоит из шести цифр…») while the code expires.
      const typing = await onCodeScreen(stack);
      const worker = stack.services.find((s) => s.name === 'worker')!;
      for (let i = 0; i < 16; i++) {
        await typing.say(`abc${i}`);
        await sleep(300);
      }
      await sleep(3_000);
      const got = (await allTexts(stack, typing.chatId)).slice(-17);
      // What the partition's stream holds for this chat, in order, is the order its replies must have.
      const subject = partitionSubject(Streams.Events, partitionOf(typing.chatId, PARTITIONS));
      const order: string[] = [];
      const info = await bus.jsm.streams.info(Streams.Events.name);
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
        const message = await bus.jsm.streams.getMessage(Streams.Events.name, { seq }).catch(() => null);
        if (!message || message.subject !== subject) continue;
        const event = message.json<{ chatId: string; kind: string; text?: string }>();
        if (event.chatId !== typing.chatId) continue;
        if (event.kind === 'timer') order.push(Texts.identify.expired);
        else if (event.kind === 'text' && event.text?.startsWith('abc')) order.push(Texts.identify.badCodeFormat);
      }
      expect(order).toHaveLength(17);
      expect(order.indexOf(Texts.identify.expired)).toBeGreaterThan(0);
      expect(order.indexOf(Texts.identify.expired)).toBeLessThan(16);
      expect(got).toEqual(order);

      // By now the cancelled timer's time has long passed: nothing came, and the stale one was dropped.
      expect(await expiredTimes(stack, leaving.chatId)).toBe(0);
      expect(worker.logs.some((line) => line.msg === 'turn' && line.kind === 'timer' && line.outcome === 'stale')).toBe(
        true,
      );
      // The schedules themselves are gone from the stream: fired ones purge themselves, cancelled ones were purged.
      const left = await bus.jsm.streams.info(Streams.Events.name, { subjects_filter: `${TIMERS_SUBJECT}.>` });
      expect(left.state.subjects ?? {}).toEqual({});
    },
  );
});
