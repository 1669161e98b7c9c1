/**
 * The outage soak: the whole stack on throwaway servers, many chats talking for a few minutes
 * while the fake Viber API goes down again and again, then the figures: replies sent, duplicates,
 * out of order, missing, dead letters, the oldest waiting reply's age, the retry traffic.
 *
 *   npm run soak:outages
 *   npm run soak:outages -- --chats 200 --workers 4 --outages 3 --outage-s 45 --up-s 30 --fault http500
 *
 * Faults: http500 (Viber's gateway failing), status12 (rate limiting), timeout (answers 504 after
 * 2 s, more than SEND_TIMEOUT_MS here), slow (delivers, but after 3 s: duplicates are expected),
 * partial (half of the sends fail with 500). Exits 1 when a reply was lost, duplicated or swapped,
 * or anything was filed as a dead letter (duplicates are allowed with --fault slow). With
 * `--max-age-ms` below the outage, replies expire and chats park; `--replay` then runs the replay
 * command and measures again: every chat must end with all its replies, in order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { parseArgs, promisify } from 'node:util';
import { startMongoCompatible, startNats, type LocalServer } from '../dev/local-servers.js';
import {
  freeStackPorts,
  localStackEnv,
  startService,
  waitForLog,
  type ServiceName,
  type ServiceProcess,
} from '../dev/processes.js';
import { Callbacks, postCallback } from '../../fakes/viber/callbacks.js';
import type { Fault, SentMessage } from '../../fakes/viber/app.js';
import { connectBus } from '../../shared/bus/bus.js';
import { listDeadLetters } from '../../shared/bus/dead-letters.js';
import { createLogger } from '../../shared/ops/logger.js';
import { soakFigures, type SoakFigures } from './outage-soak-figures.js';
import { fingerprint } from './channels.js';

const { values: args } = parseArgs({
  options: {
    chats: { type: 'string', default: '200' },
    workers: { type: 'string', default: '4' },
    outbounds: { type: 'string', default: '1' },
    outages: { type: 'string', default: '3' },
    'outage-s': { type: 'string', default: '45' },
    'up-s': { type: 'string', default: '30' },
    fault: { type: 'string', default: 'http500' },
    'retry-base-ms': { type: 'string', default: '250' },
    'retry-max-ms': { type: 'string', default: '30000' },
    'max-age-ms': { type: 'string', default: String(24 * 60 * 60 * 1000) },
    replay: { type: 'boolean', default: false },
  },
});
const num = (name: keyof typeof args) => Number(args[name]);
const FAULTS: Record<string, { fault: Fault; share?: number }> = {
  http500: { fault: { httpStatus: 500 } },
  status12: { fault: { status: 12 } },
  timeout: { fault: { delayMs: 2_000 } },
  slow: { fault: { slowMs: 3_000 } },
  partial: { fault: { httpStatus: 500 }, share: 0.5 },
};
const outage = FAULTS[args.fault!];
if (!outage) throw new Error(`--fault must be one of ${Object.keys(FAULTS).join(', ')}`);

/** Eight lines that need neither billing nor SMS, so every chat's replies are known. */
const SCRIPT = [
  'Начать',
  'Заключить договор',
  'Необходимые документы',
  'Офисы компании',
  'Иркутск',
  'Назад',
  'В меню',
  'Сервисный центр',
];
const AUTH_TOKEN = 'soak-token';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const say = (message: string) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${message}`);

async function startStack(natsUrl: string, mongoUrl: string) {
  const ports = await freeStackPorts();
  const env: Record<string, string> = {
    ...localStackEnv({ natsUrl, mongoUrl, mongoDb: `soak_${randomUUID().slice(0, 8)}`, authToken: AUTH_TOKEN, ports }),
    INSPECT: '0',
    // Viber's timeout below the `timeout` fault's 2 s, so that fault is a timeout.
    SEND_TIMEOUT_MS: '1500',
    RETRY_BASE_MS: args['retry-base-ms']!,
    RETRY_MAX_MS: args['retry-max-ms']!,
    REPLY_MAX_AGE_MS: args['max-age-ms']!,
  };
  const times = (name: ServiceName, n: number) => Array<ServiceName>(n).fill(name);
  const processes = [...times('worker', num('workers')), ...times('outbound', num('outbounds'))];
  const names: ServiceName[] = ['fake-viber', 'reference', 'ingress', ...processes];
  const services = names.map((name) => startService(name, env, { keepLogs: 200 }));
  await Promise.all(services.map((service) => waitForLog(service, 'started', 60_000)));
  const outbound = services.find((s) => s.name === 'outbound')!;
  await waitForLog(outbound, 'ops server listening');
  const opsPort = outbound.logs.find((line) => line.msg === 'ops server listening')?.opsPort;
  return {
    services,
    env,
    webhook: env.INGRESS_URL!,
    fakeViber: `http://127.0.0.1:${ports.fakeViber}`,
    outboundMetrics: `http://127.0.0.1:${String(opsPort)}/metrics`,
  };
}
type SoakStack = Awaited<ReturnType<typeof startStack>>;

async function received(stack: SoakStack, chatIds: readonly string[]): Promise<Map<string, string[]>> {
  const byChat = new Map<string, string[]>(chatIds.map((id) => [id, []]));
  const messages = (await (await fetch(`${stack.fakeViber}/_fake/messages`)).json()) as SentMessage[];
  for (const message of messages) byChat.get(message.receiver)?.push(fingerprint(message.body));
  return byChat;
}

/** Posts a chat's lines as Viber would: the next after a 200, a refused one again after a second. */
async function talk(stack: SoakStack, chatId: string, pauseMs: () => number, counters: { refused: number }) {
  for (const line of SCRIPT) {
    const callback = Callbacks.text(chatId, line);
    while ((await postCallback(stack.webhook, callback, AUTH_TOKEN).catch(() => ({ status: 0 }))).status !== 200) {
      counters.refused++;
      await sleep(1_000);
    }
    await sleep(pauseMs());
  }
}

/** The outbound partitions' oldest waiting reply and backlog, sampled every second while the soak runs. */
function sampler(stack: SoakStack) {
  const samples: { at: number; oldestAgeS: number; backlog: number }[] = [];
  const metric = (text: string, name: string) =>
    [...text.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'gm'))].map((m) => Number(m[1]));
  const timer = setInterval(async () => {
    const text = await (await fetch(stack.outboundMetrics)).text().catch(() => '');
    const ages = metric(text, 'energobot_consumer_oldest_unacked_age_seconds');
    const backlog = metric(text, 'energobot_consumer_pending_messages').reduce((a, b) => a + b, 0);
    if (ages.length > 0) samples.push({ at: Date.now(), oldestAgeS: Math.max(...ages), backlog });
  }, 1_000);
  return {
    worst: () => ({
      oldestAgeS: Math.max(0, ...samples.map((s) => s.oldestAgeS)),
      backlog: Math.max(0, ...samples.map((s) => s.backlog)),
    }),
    /** Seconds from Viber coming back until no reply had waited more than 10 s: the cap's wait plus the drain. */
    recoveryS: (upAt: number) => ((samples.find((s) => s.at > upAt && s.oldestAgeS < 10)?.at ?? NaN) - upAt) / 1000,
    stop: () => clearInterval(timer),
  };
}

async function viberCalls(stack: SoakStack): Promise<{ total: number; faulted: number }> {
  const state = await (await fetch(`${stack.fakeViber}/_fake/outage`)).json();
  return (state as { calls: { total: number; faulted: number } }).calls;
}

/** Viber down and up again, `outages` times; resolves with the seconds it was down and when the last ended. */
async function outages(stack: SoakStack) {
  let downMs = 0;
  let faultedWhileDown = 0;
  const upAt: number[] = [];
  for (let i = 1; i <= num('outages'); i++) {
    await sleep(num('up-s') * 1000);
    const before = await viberCalls(stack);
    const request = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(outage) };
    await fetch(`${stack.fakeViber}/_fake/outage`, request);
    say(`Viber down (${args.fault}) for ${args['outage-s']} s, outage ${i}`);
    const downAt = Date.now();
    await sleep(num('outage-s') * 1000);
    faultedWhileDown += (await viberCalls(stack)).faulted - before.faulted;
    await fetch(`${stack.fakeViber}/_fake/outage`, { method: 'DELETE' });
    downMs += Date.now() - downAt;
    upAt.push(Date.now());
    say('Viber up');
  }
  return { downS: downMs / 1000, faultedWhileDown, upAt };
}

async function deadLetters(natsUrl: string) {
  const bus = await connectBus(natsUrl, 'outage-soak', createLogger('outage-soak', 'silent'));
  try {
    return await listDeadLetters(bus.jsm);
  } finally {
    await bus.close();
  }
}

/** Waits until no chat misses a reply (duplicates do not make up for one), or the time is up. */
async function drain(stack: SoakStack, expected: string[], chatIds: string[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (soakFigures(expected, await received(stack, chatIds)).missing > 0 && Date.now() < deadline) await sleep(500);
  await sleep(2_000); // late duplicates show too
}

/** `npm run replay-dead-letters -- --replay`, as an operator runs it after the outage. */
async function replay(stack: SoakStack): Promise<string> {
  const args = ['--import', 'tsx', 'tools/cli/replay-dead-letters.ts', '--replay'];
  const run = promisify(execFile)(process.execPath, args, { env: { ...process.env, ...stack.env } });
  const { stdout } = await run.catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  return stdout;
}

type Row = [string, string | number];
const print = (rows: Row[]) =>
  console.log(`\n${rows.map(([name, value]) => `${name.padEnd(40)} ${value}`).join('\n')}\n`);
const deliveryRows = (figures: SoakFigures, letters: number): Row[] => [
  ['replies expected / received', `${figures.repliesExpected} / ${figures.repliesReceived}`],
  ['chats exactly right (once, in order)', `${figures.chatsExactlyRight} / ${figures.chats}`],
  ['duplicates', figures.duplicates],
  ['missing', figures.missing],
  ['out of order', figures.outOfOrder],
  ['dead letters (worker + outbound)', letters],
];

async function soak(stack: SoakStack, natsUrl: string): Promise<boolean> {
  // The script's replies as the stack gives them with Viber up: what every chat must get.
  const baseline = `soak-baseline-${randomUUID()}`;
  await talk(stack, baseline, () => 300, { refused: 0 });
  await sleep(3_000);
  const expected = (await received(stack, [baseline])).get(baseline)!;
  say(`baseline: ${expected.length} replies to ${SCRIPT.length} lines`);

  // Traffic over the whole run: each chat starts at random and pauses 2–10 s between lines.
  const spanMs = num('outages') * (num('outage-s') + num('up-s')) * 1000;
  const chatIds = Array.from({ length: num('chats') }, (_, i) => `soak-${i}-${randomUUID().slice(0, 8)}`);
  const counters = { refused: 0 };
  const pause = () => 2_000 + Math.random() * 8_000;
  const startAt = () => Math.random() * Math.max(0, spanMs - SCRIPT.length * 6_000);
  const chat = async (chatId: string) => (await sleep(startAt()), talk(stack, chatId, pause, counters));
  const traffic = Promise.all(chatIds.map(chat));
  const watch = sampler(stack);
  const down = await outages(stack);
  await traffic;
  await drain(stack, expected, chatIds, num('retry-max-ms') * 2 + 60_000);
  watch.stop();

  const figures = soakFigures(expected, await received(stack, chatIds));
  const letters = await deadLetters(natsUrl);
  const calls = await viberCalls(stack);
  const metrics = await (await fetch(stack.outboundMetrics)).text();
  const expired = Number(/^energobot_replies_expired_total(?:\{[^}]*\})? (\S+)$/m.exec(metrics)?.[1] ?? 0);
  const worst = watch.worst();
  const recovery = down.upAt.map((at) => watch.recoveryS(at)).map((s) => (Number.isNaN(s) ? '—' : s.toFixed(1)));
  print([
    ['chats × lines', `${figures.chats} × ${SCRIPT.length}`],
    ['outages', `${args.outages} × ${args['outage-s']} s (${args.fault}), ${args['up-s']} s up between`],
    ...deliveryRows(figures, letters.length),
    ['replies expired', expired],
    ['oldest waiting reply, max (s)', worst.oldestAgeS.toFixed(1)],
    ['backlog, max (replies)', worst.backlog],
    ['Viber calls (all / failed)', `${calls.total} / ${calls.faulted}`],
    ['failed calls per second while down', (down.faultedWhileDown / down.downS).toFixed(2)],
    ['Viber up → no reply waiting > 10 s (s)', recovery.join(', ')],
    ['webhooks refused (503) and resent', counters.refused],
  ]);
  const duplicatesAllowed = args.fault === 'slow';
  const wrong = (f: SoakFigures) => f.missing + f.outOfOrder + (duplicatesAllowed ? 0 : f.duplicates);
  if (!args.replay || letters.length === 0) return wrong(figures) + letters.length === 0;

  say('replaying the dead letters (npm run replay-dead-letters -- --replay)');
  const summary = (await replay(stack)).split('\n').filter((line) => line.startsWith('chat '));
  await drain(stack, expected, chatIds, 30_000);
  const after = soakFigures(expected, await received(stack, chatIds));
  const left = (await deadLetters(natsUrl)).length;
  const unparked = summary.filter((line) => line.endsWith('unparked')).length;
  print([['after the replay', `${unparked} chat(s) unparked`], ...deliveryRows(after, left)]);
  return wrong(after) + left === 0;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'energobot-soak-'));
  const servers: LocalServer[] = [];
  let services: ServiceProcess[] = [];
  try {
    servers.push(await startNats({ dataDir: join(dir, 'nats') }));
    servers.push(await startMongoCompatible({ dataDir: join(dir, 'store'), progress: say }));
    const stack = await startStack(servers[0]!.url, servers[1]!.url);
    services = stack.services;
    say(`stack up: ${num('workers')} worker(s), ${num('outbounds')} outbound(s)`);
    process.exitCode = (await soak(stack, servers[0]!.url)) ? 0 : 1;
  } finally {
    await Promise.all(services.map((service) => service.stop()));
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
