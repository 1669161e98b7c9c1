import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../dev/local-servers.js';
import {
  freeStackPorts,
  localStackEnv,
  startService,
  waitForLog,
  type ServiceName,
  type ServiceProcess,
} from '../dev/processes.js';
import { TELEGRAM_WEBHOOK_PATH, WEBHOOK_PATH } from '../../services/ingress/index.js';
import type { Channel } from '../../shared/contracts/channel.js';
import type { ChannelEndpoint } from './channels.js';
import { startBenchChild, type BenchChild } from './child.js';
import type { WatchedProcess } from './proc-sampler.js';

/** The bench's local bot token: only the fake Viber API and the bench's own webhooks know it. */
export const BENCH_AUTH_TOKEN = 'bench-auth-token';

const BENCH_ENTRY = join('tools', 'bench', 'baseline-main.ts');
const PROFILER_PRELOAD = fileURLToPath(new URL('./cpu-profiler-preload.ts', import.meta.url));

export interface RunningTarget {
  /** Viber always; Telegram where its fake Bot API was started. */
  endpoints: { viber: ChannelEndpoint } & Partial<Record<Channel, ChannelEndpoint>>;
  processes: WatchedProcess[];
  /** Each worker's Prometheus `/metrics`, where the target has workers. */
  workerMetricsUrls?: string[];
  stop(): Promise<void>;
}

interface StoreTarget {
  natsUrl: string;
  mongoUrl: string;
  mongoDb: string;
}

async function stackEnv(
  target: StoreTarget,
  partitions: number,
): Promise<{ env: Record<string, string>; viber: ChannelEndpoint; telegram: ChannelEndpoint }> {
  const ports = await freeStackPorts();
  const stack = localStackEnv({ ...target, authToken: BENCH_AUTH_TOKEN, ports });
  const env = {
    ...stack,
    PARTITIONS: String(partitions),
    // The simulator's live diagram is off in production; its reports would be measured too.
    INSPECT: '0',
    LOG_LEVEL: 'info',
  };
  const local = (port: number) => `http://127.0.0.1:${port}`;
  // The secret ingress checks on Telegram's webhook is the local stack's.
  const telegramSecret = stack.TELEGRAM_WEBHOOK_SECRET;
  if (!telegramSecret) throw new Error('the local stack has no TELEGRAM_WEBHOOK_SECRET');
  return {
    env,
    viber: {
      webhookUrl: `${local(ports.ingress)}${WEBHOOK_PATH}`,
      secret: BENCH_AUTH_TOKEN,
      fakeUrl: local(ports.fakeViber),
    },
    telegram: {
      webhookUrl: `${local(ports.ingress)}${TELEGRAM_WEBHOOK_PATH}`,
      secret: telegramSecret,
      fakeUrl: local(ports.fakeTelegram),
    },
  };
}

/** Starts services as `npm start` does, keeping only their latest log lines (a run writes millions). */
type EnvFor = (name: ServiceName, index: number) => Record<string, string>;

async function startServices(names: ServiceName[], env: Record<string, string>, envFor: EnvFor = () => ({})) {
  const services = names.map((name, index) => startService(name, { ...env, ...envFor(name, index) }, { keepLogs: 50 }));
  try {
    await Promise.all(services.map((service) => waitForLog(service, 'started')));
  } catch (error) {
    await Promise.all(services.map((service) => service.stop()));
    throw error;
  }
  return services;
}

const watched = (services: ServiceProcess[]): WatchedProcess[] =>
  services.map((service, index) => ({
    name: service.name === 'worker' ? `worker-${index}` : service.name,
    pid: service.child.pid!,
  }));

/**
 * The real pipeline: ingress, `workers` worker processes and outbound on the given bus and store,
 * with the fake Viber API, and with `telegram` the fake Telegram Bot API too. With `profileDir`,
 * ingress, each worker and outbound write a V8 CPU profile there when they stop.
 */
export async function startPipeline(
  target: StoreTarget,
  options: { workers: number; partitions: number; telegram?: boolean; profileDir?: string },
): Promise<RunningTarget> {
  const { env, viber, telegram } = await stackEnv(target, options.partitions);
  const profiling = (name: ServiceName): Record<string, string> =>
    options.profileDir && !name.startsWith('fake-')
      ? {
          NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import tsx --import ${PROFILER_PRELOAD}`.trim(),
          BENCH_PROFILE_DIR: options.profileDir,
          BENCH_PROFILE_NAME: name,
        }
      : {};
  // The fake Telegram last: the workers keep the names (worker-<index>) they have in the Viber-only rows.
  const names: ServiceName[] = [
    'fake-viber',
    'ingress',
    ...Array<ServiceName>(options.workers).fill('worker'),
    'outbound',
    ...(options.telegram ? (['fake-telegram'] as const) : []),
  ];
  // Ports chosen here, not by the system: the line a worker logs with its port is soon out of the kept logs.
  const opsPorts = new Map<number, number>();
  for (const [index, name] of names.entries()) if (name === 'worker') opsPorts.set(index, await freePort());
  const workerEnv: EnvFor = (name, index) =>
    name === 'worker' ? { ...profiling(name), OPS_PORT: String(opsPorts.get(index)) } : profiling(name);
  const services = await startServices(names, env, workerEnv);
  return {
    endpoints: { viber, ...(options.telegram ? { telegram } : {}) },
    processes: watched(services),
    workerMetricsUrls: [...opsPorts.values()].map((port) => `http://127.0.0.1:${port}/metrics`),
    stop: async () => void (await Promise.all(services.map((service) => service.stop()))),
  };
}

/** The one-process bot (no bus) on the given store, sending to its own fake Viber API, a turn per partition at once. */
export async function startBaseline(target: StoreTarget, partitions: number): Promise<RunningTarget> {
  const { env, viber } = await stackEnv(target, partitions);
  const [fakeViber] = await startServices(['fake-viber'], env);
  const port = await freePort();
  let baseline: BenchChild;
  try {
    baseline = await startBenchChild(BENCH_ENTRY, { ...env, BENCH_MODE: 'baseline', BENCH_PORT: String(port) }, port);
  } catch (error) {
    await fakeViber!.stop();
    throw error;
  }
  return {
    endpoints: { viber: { ...viber, webhookUrl: `http://127.0.0.1:${port}${WEBHOOK_PATH}` } },
    processes: [{ name: 'baseline', pid: baseline.pid }, ...watched([fakeViber!])],
    stop: async () => void (await Promise.all([baseline.stop(), fakeViber!.stop()])),
  };
}

/** A webhook answering 200 with nothing behind it. */
export async function startEmptyWebhook(): Promise<RunningTarget> {
  const port = await freePort();
  const child = await startBenchChild(
    BENCH_ENTRY,
    { BENCH_MODE: 'empty', BENCH_PORT: String(port), VIBER_AUTH_TOKEN: BENCH_AUTH_TOKEN, LOG_LEVEL: 'warn' },
    port,
  );
  return {
    endpoints: { viber: { webhookUrl: `http://127.0.0.1:${port}${WEBHOOK_PATH}`, secret: BENCH_AUTH_TOKEN } },
    processes: [{ name: 'empty-webhook', pid: child.pid }],
    stop: child.stop,
  };
}
