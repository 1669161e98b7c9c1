import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Buttons, formatNumber, Texts } from '../../machines/texts.js';
import type { SentMessage } from '../../fakes/viber/app.js';
import { Callbacks, postCallback } from '../../fakes/viber/callbacks.js';
import { BillingCollections } from '../../fakes/reference/billing-store.js';
import { HISTORY_MONTHS } from '../../fakes/reference/demo-accounts.js';
import { partitionOf } from '../../shared/bus/bus.js';
import { chatTag } from '../../shared/ops/logger.js';
import { connectStore } from '../../shared/store/mongo.js';
import { conversation } from '../harness/conversation.js';
import { eventually, freshBus, mongoUrl, natsUrl } from '../harness/infra.js';
import { startService, startStack, waitForLog, type ServiceProcess, type Stack } from '../harness/processes.js';
import { collectReplies, describe as describeReply, expectedReplies, runTraffic, SCRIPT } from '../harness/traffic.js';

/**
 * «One live actor per chat», black-box: real processes, several workers. Each partition of the chat
 * events is held by one worker under a lease, so a chat's turns run in one place, side effects run
 * only after the state that asked for them is saved, and a worker that lost its lease neither saves
 * nor acts. The failures these tests were written for: wrong SMS codes counted twice, the right code
 * refused as expired, a retyped reading losing to the first one in billing.
 */

const AUTH_TOKEN = 'single-activation-token';
const PARTITIONS = 8;
const LEASE_TTL_MS = 2000;
/**
 * A test customer answers at machine speed, over a turn a second for half a minute: above ingress's
 * per-chat limit (a burst of 20, then 1/s), which drops the excess.
 */
const STACK_ENV = { PARTITIONS: String(PARTITIONS), LEASE_TTL_MS: String(LEASE_TTL_MS), RATE_LIMIT_PER_SECOND: '50' };
/** A dead or paused worker's chats must answer again within this (lease expiry plus a turn). */
const TAKEOVER_MS = LEASE_TTL_MS + 3000;
/** Only for the kills mid-turn: the event a killed worker held comes back soon. */
const FAST_REDELIVERY = { ACK_WAIT_MS: '2000', RETRY_BASE_MS: '50' };

/** Demo accounts of the reference billing and the phones on file (fakes/reference/demo-accounts.ts). */
const Demo = {
  irkutsk: { account: 'инзб12345678', phone: '79001234567' },
  angarsk: { account: 'инзб87654321', phone: '79007654321' },
  baikalskaya: { account: 'инзб11112222', phone: '79990000000' },
  shelekhov: { account: 'инзб33334444', phone: '79001234567' },
} as const;
type Holder = (typeof Demo)[keyof typeof Demo];
/** Another customer's script without billing (traffic.ts has SCRIPT): other screens, so other replies. */
const OTHER_SCRIPT = [
  ...['Начать', 'Настройки', 'Цвет кнопок', 'Розовый', 'Поддержка бота', 'В меню'],
  ...['Личный кабинет', 'В меню', 'Заключить договор', 'Офисы компании', 'Ангарск', 'В меню'],
];
/** инзб12345678's heating meter: single zone, previous 123,456 Гкал, at most 10 Гкал a month is plausible. */
const HEAT_METER = 'm-12345678-heat';

// ---------------------------------------------------------------------------------------------
// Stacks: each with a fresh store, so reference billing, SMS limits and locks start from zero.

interface Running {
  stack: Stack;
  mongoDb: string;
  stop(): Promise<void>;
}

async function launch(workers: number, extraEnv: Record<string, string> = {}): Promise<Running> {
  await (await freshBus()).close();
  const mongoDb = `single_${randomUUID().slice(0, 8)}`;
  const options = { natsUrl: natsUrl(), mongoUrl: mongoUrl(), mongoDb, authToken: AUTH_TOKEN, workers };
  const start = () => startStack({ ...options, extraEnv: { ...STACK_ENV, ...extraEnv } });
  // startStack picks free ports before the services bind them; another process can take one in between.
  const portTaken = (error: unknown) => String(error).includes('EADDRINUSE');
  const stack = await start().catch((error: unknown) => (portTaken(error) ? start() : Promise.reject(error)));
  return {
    stack,
    mongoDb,
    async stop() {
      // A SIGSTOPped process would never act on the SIGTERM that stops the stack.
      for (const worker of workersOf(stack).filter(alive)) worker.child.kill('SIGCONT');
      await stack.stop();
      const store = await connectStore(mongoUrl(), mongoDb);
      await store.db.dropDatabase();
      await store.client.db(`${mongoDb}_reference`).dropDatabase();
      await store.close();
    },
  };
}

const perTest: Running[] = [];
async function launchForTest(workers: number, extraEnv: Record<string, string> = {}): Promise<Running> {
  const running = await launch(workers, extraEnv);
  perTest.push(running);
  return running;
}
afterEach(async () => {
  await Promise.all(perTest.splice(0).map((running) => running.stop()));
});

const workersOf = (stack: Stack) => stack.services.filter((service) => service.name === 'worker');
const alive = (service: ServiceProcess) => service.child.exitCode === null && service.child.signalCode === null;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

// ---------------------------------------------------------------------------------------------
// Customers and what the bot told them.

const newChatId = (tag = 'sa') => `${tag}-${randomUUID().slice(0, 8)}`;
const talk = (running: Running, chatId = newChatId()) => conversation(running.stack, chatId, AUTH_TOKEN);
type Customer = ReturnType<typeof talk>;

/** Everything sent to a chat so far, as comparable lines (`text:…`, see traffic.ts). */
async function transcript(running: Running, chatId: string): Promise<string[]> {
  const url = `${running.stack.fakeViberUrl}/_fake/messages?receiver=${encodeURIComponent(chatId)}`;
  const sent = (await (await fetch(url)).json()) as SentMessage[];
  return sent.map((message) => describeReply(message.body));
}
const timesSaid = (lines: string[], text: string) => lines.filter((line) => line === `text:${text}`).length;

/** Posts one text as Viber would, without waiting for the answer. */
async function post(running: Running, chatId: string, text: string) {
  const webhook = `${running.stack.ingressUrl}/viber/webhook`;
  const answer = await postCallback(webhook, Callbacks.text(chatId, text), AUTH_TOKEN);
  expect(answer.status, `ingress answered ${answer.body}`).toBe(200);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A text of machines/texts.ts with parameters, each parameter standing for any text. */
function pattern(template: (...args: never[]) => string, arity: number): RegExp {
  const marks = Array.from({ length: arity }, (_, i) => `\u0001${i}\u0001`);
  const filled = (template as (...args: string[]) => string)(...marks);
  return new RegExp(`^${escapeRegExp(filled).replace(/\u0001\d\u0001/g, '.+')}$`);
}
const LOCKED = pattern(Texts.identify.locked, 1);
const HIGH_CONSUMPTION = pattern(Texts.readings.highConsumption, 2);

/** "79001234567" → "+7 ••• •••-45-67", as the bot shows the phone a code went to. */
const masked = (phone: string) => `+7 ••• •••-${phone.slice(-4, -2)}-${phone.slice(-2)}`;
/** A reading as a customer types it: a decimal comma. */
const typed = (value: number) => String(value).replace('.', ',');

// ---------------------------------------------------------------------------------------------
// The reference systems, read over their HTTP APIs (and billing's record of submissions).

interface Sms {
  seq: number;
  phone: string;
  text: string;
}
async function smsTo(running: Running, phone: string, after = 0): Promise<Sms[]> {
  const url = `${running.stack.referenceUrl}/sms/outbox?phone=${phone}&after=${after}`;
  return (await fetch(url)).json() as Promise<Sms[]>;
}
const codeIn = (sms: Sms) => sms.text.match(/\b(\d{6})\b/)?.[1] ?? `no code in «${sms.text}»`;

async function heatingHistory(running: Running): Promise<{ date: string; values: Record<string, number> }[]> {
  const account = encodeURIComponent(Demo.irkutsk.account);
  const url = `${running.stack.referenceUrl}/billing/accounts/${account}/meters/${HEAT_METER}/history?limit=60`;
  return (await fetch(url)).json() as Promise<{ date: string; values: Record<string, number> }[]>;
}

/** Readings billing accepted, one per idempotency key: a second key would be a second submission. */
async function billingSubmissions(running: Running): Promise<number> {
  const store = await connectStore(mongoUrl(), `${running.mongoDb}_reference`);
  try {
    return await store.db.collection(BillingCollections.submissions).countDocuments({});
  } finally {
    await store.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Dialogue steps.

/** «Начать» → «Передать показания» → «Запросить СМС код» → the account: the bot asks for the phone. */
async function upToPhone(customer: Customer, holder: Holder) {
  await customer.say('Начать');
  expect(customer.texts(await customer.say('Передать показания'))).toEqual([Texts.identify.intro]);
  expect(customer.texts(await customer.say('Запросить СМС код'))).toEqual([Texts.identify.askAccount]);
  expect(customer.texts(await customer.say(holder.account))).toEqual([Texts.identify.askPhone]);
}

/** Shares the phone on file: the bot says the code went out, once, and exactly one SMS carries it. */
async function requestCode(running: Running, customer: Customer, holder: Holder): Promise<string> {
  const before = (await smsTo(running, holder.phone)).at(-1)?.seq ?? 0;
  const answer = await customer.shareContact(`+${holder.phone}`);
  expect(customer.texts(answer)).toEqual([Texts.identify.codeSent(masked(holder.phone))]);
  const sent = await smsTo(running, holder.phone, before);
  expect(sent, 'SMS sent for one request').toHaveLength(1);
  return codeIn(sent[0]!);
}

/** What the bot says to the right code: linked, and the accounts to choose from. */
const linkedAnswer = (holder: Holder) => [Texts.identify.linked(holder.account), Texts.accounts.choose];

/** The whole identification; ends at «Выберите лицевой счёт». */
async function identify(running: Running, customer: Customer, holder: Holder) {
  await upToPhone(customer, holder);
  const code = await requestCode(running, customer, holder);
  expect(customer.texts(await customer.say(code))).toEqual(linkedAnswer(holder));
}

/** From «Выберите лицевой счёт» to the prompt for инзб12345678's heating meter. */
async function openHeatingMeter(customer: Customer) {
  expect(customer.texts(await customer.say(Demo.irkutsk.account))).toEqual([Texts.readings.chooseService]);
  const meters = await customer.say('Отопление');
  expect(customer.texts(meters)).toEqual([Texts.readings.chooseMeter]);
  const prompt = await customer.say(customer.buttons(meters)[0]!.ActionBody);
  expect(customer.texts(prompt)).toEqual([expect.stringContaining(Texts.readings.askValue(''))]);
}

/** Runs tasks given under one key one after another (tasks under different keys run at once). */
function oneAtATime() {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(key: string, task: () => Promise<T>): Promise<T> => {
    const next = (tails.get(key) ?? Promise.resolve()).then(task, task);
    tails.set(
      key,
      next.catch(() => undefined),
    );
    return next;
  };
}

// ---------------------------------------------------------------------------------------------
// Partitions and who holds them, from the workers' logs.

/**
 * The partitions a worker holds: 'partition gained' adds one; any other 'partition …' line naming
 * a partition (lost, released) takes it away. A worker that exited holds none.
 */
function heldBy(worker: ServiceProcess): Set<number> {
  const held = new Set<number>();
  if (!alive(worker)) return held;
  for (const line of worker.logs) {
    if (typeof line.msg !== 'string' || typeof line.partition !== 'number') continue;
    if (line.msg === 'partition gained') held.add(line.partition);
    else if (line.msg.startsWith('partition ')) held.delete(line.partition);
  }
  return held;
}

/** partition → its worker, when each partition is held by exactly one live worker and each live worker holds some. */
function currentOwners(running: Running): Map<number, ServiceProcess> | undefined {
  const live = workersOf(running.stack).filter(alive);
  const holders = Array.from({ length: PARTITIONS }, (_, p) => live.filter((worker) => heldBy(worker).has(p)));
  if (holders.some((held) => held.length !== 1) || live.some((worker) => heldBy(worker).size === 0)) return undefined;
  return new Map(holders.map((held, partition) => [partition, held[0]!]));
}

/**
 * Waits for a settled ownership: complete (see `currentOwners`) and unchanged for two lease times. A worker
 * that starts first takes every partition and hands some over when the others show up.
 */
async function settledOwners(running: Running): Promise<Map<number, ServiceProcess>> {
  let last = '';
  let since = Date.now();
  const what = `each of ${PARTITIONS} partitions held by one worker, each worker holding some ('partition gained')`;
  return eventually(
    () => {
      const current = currentOwners(running);
      const key = current ? [...current].map(([partition, worker]) => `${partition}:${worker.child.pid}`).join() : '';
      if (key !== last) [last, since] = [key, Date.now()];
      return current && Date.now() - since >= 2 * LEASE_TTL_MS ? current : undefined;
    },
    what,
    30_000,
  );
}

/** A new chat id on one of the partitions `worker` holds. */
function chatHeldBy(owners: Map<number, ServiceProcess>, worker: ServiceProcess): string {
  for (;;) {
    const chatId = newChatId();
    if (owners.get(partitionOf(chatId, PARTITIONS)) === worker) return chatId;
  }
}

/** Two new chat ids, on one partition or on two. */
function chatPair(samePartition: boolean): [string, string] {
  const first = newChatId('pair');
  for (;;) {
    const second = newChatId('pair');
    if ((partitionOf(first, PARTITIONS) === partitionOf(second, PARTITIONS)) === samePartition) return [first, second];
  }
}

/** A worker's 'turn' lines for a chat (logs name chats only by digest), from log index `from` on. */
const turnsFor = (worker: ServiceProcess, chatId: string, from = 0) =>
  worker.logs.slice(from).filter((line) => line.msg === 'turn' && line.chat === chatTag(chatId));

// ---------------------------------------------------------------------------------------------

describe.each([2, 4])('SMS identification with %i workers', (workers) => {
  let running: Running;
  beforeAll(async () => {
    running = await launch(workers);
  });
  afterAll(async () => {
    await running?.stop();
  });

  test('five wrong codes: attempts left 4, 3, 2, 1, then locked (each wrong code counted once)', async () => {
    const customer = talk(running);
    await upToPhone(customer, Demo.shelekhov);
    const code = await requestCode(running, customer, Demo.shelekhov);
    const wrong = ['000000', '111111', '222222', '333333', '444444', '555555'].filter((guess) => guess !== code);
    for (const attemptsLeft of [4, 3, 2, 1]) {
      expect(customer.texts(await customer.say(wrong.shift()!))).toEqual([Texts.identify.wrongCode(attemptsLeft)]);
    }
    expect(customer.texts(await customer.say(wrong.shift()!))).toEqual([expect.stringMatching(LOCKED)]);
  });

  test('six customers at once type the right code (half after a typo): each linked, none told «expired»', async () => {
    // Two customers per phone: the hourly SMS limits are per account and per phone.
    const holders = [Demo.irkutsk, Demo.angarsk, Demo.baikalskaya];
    const customers = Array.from({ length: 6 }, (_, i) => ({ customer: talk(running), holder: holders[i % 3]! }));
    // The outbox tells codes apart only by phone, so one request per phone at a time.
    const perPhone = oneAtATime();
    const codes = await Promise.all(
      customers.map(async ({ customer, holder }) => {
        await upToPhone(customer, holder);
        return perPhone(holder.phone, () => requestCode(running, customer, holder));
      }),
    );
    // A right code checked on a stale copy after a wrong one was the way to «Срок действия кода истёк».
    await Promise.all(
      customers.map(async ({ customer }, i) => {
        if (i % 2 === 0) return;
        const typo = codes[i] === '000000' ? '999999' : '000000';
        expect(customer.texts(await customer.say(typo))).toEqual([Texts.identify.wrongCode(4)]);
      }),
    );
    const answers = await Promise.all(customers.map(({ customer }, i) => customer.say(codes[i]!)));
    for (const [i, { customer, holder }] of customers.entries()) {
      expect(customer.texts(answers[i]!), customer.chatId).toEqual(linkedAnswer(holder));
    }
  });
});

describe('one chat is one actor', () => {
  test('3 workers, 4 rounds: a reading, «Ввести заново», another, «Отправить»: billing keeps the second', async () => {
    const running = await launchForTest(3);
    const customer = talk(running);
    await identify(running, customer, Demo.irkutsk);
    for (let round = 0; round < 4; round++) {
      if (round > 0) expect(customer.texts(await customer.say('Передать показания'))).toEqual([Texts.accounts.choose]);
      await openHeatingMeter(customer);
      const mistyped = 140 + round;
      const meant = 125.5 + round;
      // Over 10 Гкал above 123,456: the bot asks «Да, показание верное» / «Ввести заново».
      const asked = await customer.say(typed(mistyped));
      expect(customer.texts(asked)).toEqual([expect.stringMatching(HIGH_CONSUMPTION)]);
      // «Ввести заново» on that question, or (every other round) on the summary after «Да, показание верное»:
      // a stale copy still at the summary with the first value is what submitted it in the report.
      if (round % 2 === 1) {
        const summary = await customer.say(Buttons.ConfirmHigh);
        expect(customer.texts(summary)).toEqual([expect.stringContaining(formatNumber(mistyped))]);
        expect(customer.buttons(summary).map((button) => button.Text)).toContain(Buttons.Retype);
      }
      const retyped = await customer.say(Buttons.Retype);
      expect(customer.texts(retyped)).toEqual([expect.stringContaining(Texts.readings.askValue(''))]);
      expect(customer.texts(await customer.say(typed(meant)))).toEqual([expect.stringContaining(formatNumber(meant))]);
      expect(customer.texts(await customer.say(Buttons.Confirm))).toEqual([Texts.readings.accepted]);
      expect((await heatingHistory(running))[0]?.values, `round ${round}`).toEqual({ single: meant });
    }
  });

  test('4 workers, two chats with their messages alternating: each gets exactly its own replies', async () => {
    const running = await launchForTest(4);
    const scripts = [SCRIPT, OTHER_SCRIPT] as const;
    const expected = [await expectedReplies(SCRIPT), await expectedReplies(OTHER_SCRIPT)];
    // One pair on one partition (side by side in one worker), one pair on two.
    const pairs = [chatPair(true), chatPair(false)];
    await Promise.all(
      pairs.map(async (pair) => {
        for (let i = 0; i < Math.max(...scripts.map((script) => script.length)); i++) {
          for (const [k, chatId] of pair.entries()) if (scripts[k]![i]) await post(running, chatId, scripts[k]![i]!);
        }
      }),
    );
    for (const k of [0, 1]) {
      const chatIds = pairs.map((pair) => pair[k]!);
      const replies = await collectReplies(running.stack.fakeViberUrl, chatIds, expected[k]!.length, 30_000);
      for (const chatId of chatIds) expect(replies.get(chatId), chatId).toEqual(expected[k]);
    }
  });
});

describe('a worker killed (SIGKILL) between the saved state and its side effect', () => {
  /** CHAOS_ONCE_FILE present means "already killed": created at once, removed to arm one kill. */
  function chaosSwitch() {
    const file = join(mkdtempSync(join(tmpdir(), 'chaos-')), 'killed');
    writeFileSync(file, 'disarmed\n');
    return {
      file,
      arm: () => rmSync(file),
      fired: () => (existsSync(file) ? readFileSync(file, 'utf8') : 'no worker killed itself'),
    };
  }

  async function replaceKilledWorker(running: Running) {
    const worker = startService('worker', running.stack.env);
    running.stack.services.push(worker);
    await waitForLog(worker, 'started');
  }

  const killed = (running: Running) => workersOf(running.stack).filter((w) => w.child.signalCode === 'SIGKILL').length;

  const steps = ['before-effect', 'after-effect'];
  test.each(steps)('at %s: one SMS and one billing submission, each said once', async (step) => {
    const chaos = chaosSwitch();
    const env = { CHAOS_KILL_AT: step, CHAOS_ONCE_FILE: chaos.file, ...FAST_REDELIVERY };
    const running = await launchForTest(2, env);
    const customer = talk(running);
    const holder = Demo.irkutsk;
    // Armed only for the one effect under test: every step of the dialogue before it has effects too.
    await upToPhone(customer, holder);
    chaos.arm();
    const code = await requestCode(running, customer, holder);
    expect(chaos.fired(), 'CHAOS_KILL_AT at the SMS request').toContain(`killed at ${step}`);
    expect(killed(running)).toBe(1);
    await replaceKilledWorker(running);

    expect(customer.texts(await customer.say(code))).toEqual(linkedAnswer(holder));
    await openHeatingMeter(customer);
    expect(customer.texts(await customer.say('127'))).toEqual([expect.stringContaining('127')]);
    chaos.arm();
    expect(customer.texts(await customer.say(Buttons.Confirm))).toEqual([Texts.readings.accepted]);
    expect(chaos.fired(), 'CHAOS_KILL_AT at the reading submission').toContain(`killed at ${step}`);
    expect(killed(running)).toBe(2);

    const history = await heatingHistory(running);
    expect(history, 'the seeded months and this one').toHaveLength(HISTORY_MONTHS + 1);
    expect(history[0]!.values).toEqual({ single: 127 });
    expect(await billingSubmissions(running)).toBe(1);
    expect(await smsTo(running, holder.phone)).toHaveLength(1);
    // Late duplicates would come after the answers above.
    await sleep(1_000);
    const told = await transcript(running, customer.chatId);
    expect(timesSaid(told, Texts.identify.codeSent(masked(holder.phone)))).toBe(1);
    expect(timesSaid(told, Texts.readings.accepted)).toBe(1);
  });
});

describe('partitions change hands', () => {
  test('a worker added, one stopped (SIGTERM), traffic flowing: each chat answered once, in order', async () => {
    const running = await launchForTest(2);
    const expected = await expectedReplies(SCRIPT);
    const chatIds = Array.from({ length: 12 }, () => newChatId('flow'));
    let scaled = false;
    let stoppedWith: number | null | undefined;
    await runTraffic({
      webhookUrl: `${running.stack.ingressUrl}/viber/webhook`,
      authToken: AUTH_TOKEN,
      chatIds,
      onProgress: async (sent) => {
        if (scaled || sent <= 20) return;
        scaled = true;
        const added = startService('worker', running.stack.env);
        running.stack.services.push(added);
        await waitForLog(added, 'started');
        stoppedWith = await workersOf(running.stack)[0]!.stop('SIGTERM');
      },
    });
    const replies = await collectReplies(running.stack.fakeViberUrl, chatIds, expected.length);
    for (const chatId of chatIds) expect(replies.get(chatId), chatId).toEqual(expected);
    expect(stoppedWith, 'exit code of the stopped worker').toBe(0);
  });

  test('a worker paused (SIGSTOP) for 3 lease times: another answers in time; resumed, it redoes nothing', async () => {
    const running = await launchForTest(2);
    const owners = await settledOwners(running);
    const paused = owners.get(0)!;
    const other = workersOf(running.stack).find((worker) => worker !== paused)!;
    const customer = talk(running, chatHeldBy(owners, paused));
    for (const line of SCRIPT.slice(0, 3)) await customer.say(line);
    // The chat lives where its partition is held, and only there.
    expect(turnsFor(paused, customer.chatId).length).toBeGreaterThan(0);
    expect(turnsFor(other, customer.chatId)).toEqual([]);

    const mark = { paused: paused.logs.length, other: other.logs.length };
    const pausedAt = Date.now();
    paused.child.kill('SIGSTOP');
    try {
      const first = await customer.say(SCRIPT[3]!);
      expect(first[0]!.at - pausedAt, 'ms from SIGSTOP to the first answer').toBeLessThanOrEqual(TAKEOVER_MS);
      for (const line of SCRIPT.slice(4, 8)) await customer.say(line);
      await sleep(pausedAt + 3 * LEASE_TTL_MS - Date.now());
    } finally {
      paused.child.kill('SIGCONT');
    }
    const lost = () => paused.logs.slice(mark.paused).some((line) => String(line.msg).startsWith('partition lost'));
    await eventually(() => (lost() ? true : undefined), "'partition lost' from the resumed worker", 10_000);
    for (const line of SCRIPT.slice(8)) await customer.say(line);

    await sleep(1_000);
    expect(await transcript(running, customer.chatId)).toEqual(await expectedReplies(SCRIPT));
    const takenOver = new Set(turnsFor(other, customer.chatId, mark.other).map((line) => line.correlationId));
    expect(takenOver.size, 'turns the other worker ran').toBeGreaterThan(0);
    const redone = turnsFor(paused, customer.chatId, mark.paused).filter((line) => takenOver.has(line.correlationId));
    expect(redone, 'turns the resumed worker ran for events the other one handled').toEqual([]);
  });

  test('a worker killed (SIGKILL): a chat of its partitions is answered again within the lease time', async () => {
    const running = await launchForTest(2);
    const owners = await settledOwners(running);
    const victim = owners.get(0)!;
    const customer = talk(running, chatHeldBy(owners, victim));
    await customer.say('Начать');
    const killedAt = Date.now();
    await victim.stop('SIGKILL');
    const answer = await customer.say('Настройки');
    expect(answer[0]!.at - killedAt, 'ms from SIGKILL to the answer').toBeLessThanOrEqual(TAKEOVER_MS);
    expect(await transcript(running, customer.chatId)).toEqual(await expectedReplies(['Начать', 'Настройки']));
  });
});
