/**
 * The reminder fan-out bench: many chats with reading reminders on, one morning's tick, and live
 * customers talking all the while. Prints the reminders sent per second and the live turns'
 * webhook-to-reply latency before and during the fan-out, and writes bench-results/reminders-<time>.json.
 *
 *   npm run bench:reminders
 *   npm run bench:reminders -- --reminders 5000 --rate 200 --live 20 --workers 2
 *
 * The chats are seeded straight into the store and the consent registry (as if each had linked the
 * demo account инзб12345678 and switched reminders on); the tick is the one the daily cron makes,
 * for the day that account's window opens. On this 2-core machine the local store and the
 * reference billing (four calls per reminder) share the cores with the stack: the figures are for
 * comparing runs, and for seeing that the pace (`REMINDER_RATE`) protects live turns.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { initialTransition } from 'xstate';
import { freeStackPorts, localStackEnv, startService, waitForLog, type ServiceName } from '../dev/processes.js';
import { Callbacks, postCallback } from '../../fakes/viber/callbacks.js';
import type { SentMessage } from '../../fakes/viber/app.js';
import { chatDialogue } from '../../machines/dialogue.js';
import { fileContentCatalog } from '../../shared/adapters/file-content-catalog.js';
import { MongoChatStore } from '../../shared/adapters/mongo-chat-store.js';
import { connectBus } from '../../shared/bus/bus.js';
import { publishReminderTick } from '../../shared/bus/reminder-bus.js';
import { createLogger } from '../../shared/ops/logger.js';
import { connectStore } from '../../shared/store/mongo.js';
import { natsReminderRegistry } from '../../services/worker/index.js';
import { startBenchInfra } from './infra.js';
import { createLimiter } from './limiter.js';
import { percentiles } from './stats.js';

const { values: args } = parseArgs({
  options: {
    reminders: { type: 'string', default: '2000' },
    rate: { type: 'string', default: '100' },
    live: { type: 'string', default: '10' },
    workers: { type: 'string', default: '2' },
    'baseline-s': { type: 'string', default: '20' },
  },
});
const REMINDERS = Number(args.reminders);
const LIVE = Number(args.live);
const ACCOUNT = 'инзб12345678';
const AUTH_TOKEN = 'bench-reminders-token';
/** Two screens that answer with one message each and need neither billing nor SMS. */
const LIVE_LINES = ['Настройки', 'В меню'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const say = (message: string) => console.log(`[reminders ${new Date().toISOString().slice(11, 19)}] ${message}`);

const infra = await startBenchInfra(say);
const mongoDb = `bench_reminders_${randomUUID().slice(0, 8)}`;
const ports = await freeStackPorts();
const env = {
  ...localStackEnv({ natsUrl: infra.natsUrl, mongoUrl: infra.mongoUrl, mongoDb, authToken: AUTH_TOKEN, ports }),
  INSPECT: '0',
  LOG_LEVEL: 'warn',
  REMINDER_RATE: args.rate!,
};
const names: ServiceName[] = [
  'fake-viber',
  'reference',
  'ingress',
  ...Array<ServiceName>(Number(args.workers)).fill('worker'),
  'outbound',
];
const services = names.map((name) => startService(name, { ...env, LOG_LEVEL: 'info' }, { keepLogs: 50 }));
const fakeViber = `http://127.0.0.1:${ports.fakeViber}`;
const webhook = `http://127.0.0.1:${ports.ingress}/viber/webhook`;

try {
  await Promise.all(services.map((service) => waitForLog(service, 'started', 120_000)));
  say(`stack up (${args.workers} workers); seeding ${REMINDERS} chats with reminders on`);

  // Seeded as a worker would have saved them after «Включить напоминания».
  const dialogue = chatDialogue(await fileContentCatalog().load());
  const store = await connectStore(infra.mongoUrl, mongoDb);
  const chats = new MongoChatStore(store.db);
  const bus = await connectBus(infra.natsUrl, 'bench-reminders', createLogger('bench', 'warn'));
  const registry = await natsReminderRegistry(bus.js, 1);
  const limit = createLimiter(16);
  const reminded = Array.from({ length: REMINDERS }, (_, i) => `bench-rem-${i}-${randomUUID().slice(0, 6)}`);
  await Promise.all(
    reminded.map((chatId) =>
      limit(async () => {
        const [snapshot] = initialTransition(dialogue.machine, { chatId, accounts: [ACCOUNT], reminders: true });
        const record = {
          chatId,
          machineVersion: dialogue.version,
          snapshot: dialogue.machine.getPersistedSnapshot(snapshot),
          version: 1,
          lastEventSeq: 0,
          outbox: [],
          recentEventIds: [],
          pendingEffects: [],
          timers: [],
        };
        await chats.save(record, 0);
        await registry.set(chatId, true, [ACCOUNT]);
      }),
    ),
  );

  // Live customers: each says its lines one after another, waiting for each answer.
  const latencies: { at: number; ms: number }[] = [];
  const waiting = new Map<string, (message: SentMessage) => void>();
  let reminderTimes: number[] = [];
  let after = 0;
  let running = true;
  const poller = (async () => {
    while (running) {
      const fresh = (await (await fetch(`${fakeViber}/_fake/messages?after=${after}`)).json()) as SentMessage[];
      for (const message of fresh) {
        after = Math.max(after, message.seq);
        if (String(message.body.text ?? '').startsWith('Пора передать показания')) reminderTimes.push(message.at);
        waiting.get(message.receiver)?.(message);
      }
      await sleep(25);
    }
  })();
  const live = Array.from({ length: LIVE }, (_, i) => `bench-live-${i}-${randomUUID().slice(0, 6)}`);
  const talkers = live.map(async (chatId) => {
    await postCallback(webhook, Callbacks.text(chatId, 'Начать'), AUTH_TOKEN);
    await sleep(1_000);
    for (let turn = 0; running; turn++) {
      const answered = new Promise<SentMessage>((resolve) => waiting.set(chatId, resolve));
      const postedAt = Date.now();
      const posted = await postCallback(
        webhook,
        Callbacks.text(chatId, LIVE_LINES[turn % LIVE_LINES.length]!),
        AUTH_TOKEN,
      ).catch(() => ({ status: 0 }));
      if (posted.status !== 200) {
        await sleep(500);
        continue;
      }
      const message = await Promise.race([answered, sleep(30_000).then(() => undefined)]);
      if (message) latencies.push({ at: postedAt, ms: message.at - postedAt });
      await sleep(200 + Math.random() * 300);
    }
  });

  const figures = (from: number, to: number) => {
    const ms = latencies.filter((l) => l.at >= from && l.at < to).map((l) => l.ms);
    const p = percentiles(ms) ?? { p50: NaN, p95: NaN, p99: NaN, max: NaN };
    return { turns: ms.length, p50: p.p50, p95: p.p95, p99: p.p99, max: p.max };
  };
  const baselineFrom = Date.now();
  await sleep(Number(args['baseline-s']) * 1000);
  const tickAt = Date.now();
  reminderTimes = [];
  const day = `${new Date().toISOString().slice(0, 7)}-01`;
  await publishReminderTick(bus.js, { day });
  say(`tick published for ${day}; waiting for ${REMINDERS} reminders`);
  let lastCount = -1;
  let lastGrowth = Date.now();
  while (reminderTimes.length < REMINDERS && Date.now() - lastGrowth < 60_000) {
    if (reminderTimes.length !== lastCount) {
      lastCount = reminderTimes.length;
      lastGrowth = Date.now();
    }
    process.stdout.write(`\r  reminders sent: ${reminderTimes.length}/${REMINDERS}   `);
    await sleep(1_000);
  }
  process.stdout.write('\n');
  const doneAt = Math.max(tickAt, ...reminderTimes);
  running = false;
  await Promise.all([poller, ...talkers.map((t) => Promise.race([t, sleep(31_000)]))]);

  const sent = reminderTimes.length;
  const seconds = (doneAt - tickAt) / 1000;
  const results = {
    at: new Date().toISOString(),
    store: infra.storeEngine,
    workers: Number(args.workers),
    reminderRate: Number(args.rate),
    reminders: { wanted: REMINDERS, sent, seconds, perSecond: sent / Math.max(seconds, 0.001) },
    live: { chats: LIVE, before: figures(baselineFrom, tickAt), during: figures(tickAt, doneAt) },
  };
  const row = (label: string, f: ReturnType<typeof figures>) =>
    `  ${label.padEnd(22)}${String(f.turns).padStart(6)}` +
    `${f.p50.toFixed(0).padStart(8)}${f.p95.toFixed(0).padStart(8)}${f.p99.toFixed(0).padStart(8)}`;
  console.log(
    [
      '',
      `Reminder fan-out (${results.store}, ${results.workers} workers, REMINDER_RATE ${results.reminderRate}/s)`,
      `  reminders sent: ${sent} of ${REMINDERS} in ${seconds.toFixed(1)} s = ` +
        `${results.reminders.perSecond.toFixed(1)} per second`,
      `  live turns (${LIVE} chats)      turns     p50     p95     p99 (ms, webhook to reply)`,
      row('before the tick', results.live.before),
      row('during the fan-out', results.live.during),
    ].join('\n'),
  );
  mkdirSync('bench-results', { recursive: true });
  const file = `bench-results/reminders-${results.at.replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  say(`wrote ${file}`);
  await bus.close();
  await store.db.dropDatabase();
  await store.close();
  if (sent < REMINDERS) process.exitCode = 1;
} finally {
  await Promise.all(services.map((service) => service.stop()));
  await infra.stop();
}
