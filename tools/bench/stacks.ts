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
import { WEBHOOK_PATH } from '../../services/ingress/index.js';
import { startBenchChild, type BenchChild } from './child.js';
import type { WatchedProcess } from './proc-sampler.js';

/** The bench's local bot token: only the fake Viber API and the bench's own webhooks know it. */
export const BENCH_AUTH_TOKEN = 'bench-auth-token';

const BENCH_ENTRY = join('tools', 'bench', 'baseline-main.ts');
const PROFILER_PRELOAD = fileURLToPath(new URL('./cpu-profiler-preload.ts', import.meta.url));

export interface RunningTarget {
  webhookUrl: string;
  fakeViberUrl: string;
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
): Promise<{ env: Record<string, string>; ingressUrl: string; fakeViberUrl: string }> {
  const ports = await freeStackPorts();
  const env = {
    ...localStackEnv({ ...target, authToken: BENCH_AUTH_TOKEN, ports }),
    PARTITIONS: String(partitions),
    // The simulator's live diagram is off in production; its reports would be measured too.
    INSPECT: '0',
    LOG_LEVEL: 'info',
  };
  return {
    env,
    ingressUrl: `http://127.0.0.1:${ports.ingress}${WEBHOOK_PATH}`,
    fakeViberUrl: `http://127.0.0.1:${ports.fakeViber}`,
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
 * with the fake Viber API. With `profileDir`, ingress, each worker and outbound write a V8 CPU profile
 * there when they stop.
 */
export async function startPipeline(
  target: StoreTarget,
  options: { workers: number; partitions: number; profileDir?: string },
): Promise<RunningTarget> {
  const { env, ingressUrl, fakeViberUrl } = await stackEnv(target, options.partitions);
  const profiling = (name: ServiceName): Record<string, string> =>
    options.profileDir && name !== 'fake-viber'
      ? {
          NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import tsx --import ${PROFILER_PRELOAD}`.trim(),
          BENCH_PROFILE_DIR: options.profileDir,
          BENCH_PROFILE_NAME: name,
        }
      : {};
  const names: ServiceName[] = [
    'fake-viber',
    'ingress',
    ...Array<ServiceName>(options.workers).fill('worker'),
    'outbound',
  ];
  // Ports chosen here, not by the system: the line a worker logs with its port is soon out of the kept logs.
  const opsPorts = new Map<number, number>();
  for (const [index, name] of names.entries()) if (name === 'worker') opsPorts.set(index, await freePort());
  const workerEnv: EnvFor = (name, index) =>
    name === 'worker' ? { ...profiling(name), OPS_PORT: String(opsPorts.get(index)) } : profiling(name);
  const services = await startServices(names, env, workerEnv);
  return {
    webhookUrl: ingressUrl,
    fakeViberUrl,
    processes: watched(services),
    workerMetricsUrls: [...opsPorts.values()].map((port) => `http://127.0.0.1:${port}/metrics`),
    stop: async () => void (await Promise.all(services.map((service) => service.stop()))),
  };
}

/** The one-process bot (no bus) on the given store, sending to its own fake Viber API, a turn per partition at once. */
export async function startBaseline(target: StoreTarget, partitions: number): Promise<RunningTarget> {
  const { env, fakeViberUrl } = await stackEnv(target, partitions);
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
    webhookUrl: `http://127.0.0.1:${port}${WEBHOOK_PATH}`,
    fakeViberUrl,
    processes: [{ name: 'baseline', pid: baseline.pid }, ...watched([fakeViber!])],
    stop: async () => void (await Promise.all([baseline.stop(), fakeViber!.stop()])),
  };
}

/** A webhook answering 200 with nothing behind it. */
export async function startEmptyWebhook(): Promise<Omit<RunningTarget, 'fakeViberUrl'>> {
  const port = await freePort();
  const child = await startBenchChild(
    BENCH_ENTRY,
    { BENCH_MODE: 'empty', BENCH_PORT: String(port), VIBER_AUTH_TOKEN: BENCH_AUTH_TOKEN, LOG_LEVEL: 'warn' },
    port,
  );
  return {
    webhookUrl: `http://127.0.0.1:${port}${WEBHOOK_PATH}`,
    processes: [{ name: 'empty-webhook', pid: child.pid }],
    stop: child.stop,
  };
}
