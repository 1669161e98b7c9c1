import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './local-servers.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Starting the services as real Node processes: shared by `npm start` and the test harness. */

/** Where each process's entry point is: the deployed services, the fakes, and the simulator tool. */
const ENTRY_POINTS = {
  ingress: 'services/ingress/main.ts',
  worker: 'services/worker/main.ts',
  outbound: 'services/outbound/main.ts',
  'fake-viber': 'fakes/viber/main.ts',
  'fake-telegram': 'fakes/telegram/main.ts',
  reference: 'fakes/reference/main.ts',
  simulator: 'tools/simulator/main.ts',
} as const;

export type ServiceName = keyof typeof ENTRY_POINTS;

export interface ServiceProcess {
  name: ServiceName;
  child: ChildProcess;
  /** Every JSON log line the process wrote. */
  logs: Record<string, unknown>[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts a service as a real Node process; `onLine` sees each line it writes. */
export function startService(
  name: ServiceName,
  env: Record<string, string>,
  options: { onLine?: (line: Record<string, unknown>) => void; keepLogs?: number } = {},
): ServiceProcess {
  const keep = options.keepLogs ?? Infinity;
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY_POINTS[name]], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const logFile = logFileFor(name, child.pid);
  const record = (line: Record<string, unknown>) => {
    if (logFile) appendFileSync(logFile, `${JSON.stringify(line)}\n`);
    logs.push(line);
    if (logs.length > keep) logs.shift();
    options.onLine?.(line);
  };
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line);
      } catch {
        parsed = { raw: line };
      }
      record(parsed);
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => record({ stderr: chunk.toString() }));
  return {
    name,
    child,
    logs,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      }),
  };
}

/** SERVICE_LOG_DIR set: every service's lines also go to a file there, to read after a failed run. */
function logFileFor(name: ServiceName, pid: number | undefined): string | undefined {
  const dir = process.env.SERVICE_LOG_DIR;
  if (!dir) return undefined;
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}-${String(pid)}.log`);
}

export async function waitForLog(service: ServiceProcess, message: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!service.logs.some((line) => line.msg === message)) {
    if (service.child.exitCode !== null)
      throw new Error(
        `${service.name} exited (${service.child.exitCode}):\n${JSON.stringify(service.logs.slice(-10), null, 1)}`,
      );
    if (Date.now() > deadline)
      throw new Error(
        `${service.name} did not log "${message}" within ${timeoutMs} ms:\n` +
          `${JSON.stringify(service.logs.slice(-10), null, 1)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Free ports for every listening service of a local stack. */
export async function freeStackPorts(): Promise<LocalStackPorts> {
  return {
    ingress: await freePort(),
    fakeViber: await freePort(),
    fakeTelegram: await freePort(),
    reference: await freePort(),
    simulator: await freePort(),
  };
}

export interface LocalStackPorts {
  ingress: number;
  fakeViber: number;
  fakeTelegram: number;
  reference: number;
  simulator: number;
}

/** The local fake Bot API's bot token: the form @BotFather gives, no secret of anyone's. */
export const LOCAL_TELEGRAM_TOKEN = '1000000001:local-dev-telegram-token';

/**
 * The environment of every service of a local stack: one place for the addresses and the local
 * secrets, so `npm start` and the tests run the same wiring.
 */
export function localStackEnv(options: {
  natsUrl: string;
  mongoUrl: string;
  mongoDb: string;
  authToken: string;
  ports: LocalStackPorts;
}): Record<string, string> {
  const { ports } = options;
  const reference = `http://127.0.0.1:${ports.reference}`;
  return {
    NATS_URL: options.natsUrl,
    MONGO_URL: options.mongoUrl,
    MONGO_DB: options.mongoDb,
    REFERENCE_DB: `${options.mongoDb}_reference`,
    VIBER_AUTH_TOKEN: options.authToken,
    VIBER_API_URL: `http://127.0.0.1:${ports.fakeViber}/pa`,
    // Telegram through the local fake Bot API (fakes/telegram): the token's form is @BotFather's.
    TELEGRAM_BOT_TOKEN: LOCAL_TELEGRAM_TOKEN,
    TELEGRAM_API_ROOT: `http://127.0.0.1:${ports.fakeTelegram}`,
    TELEGRAM_WEBHOOK_SECRET: 'local-telegram-secret',
    FAKE_TELEGRAM_PORT: String(ports.fakeTelegram),
    FAKE_TELEGRAM_URL: `http://127.0.0.1:${ports.fakeTelegram}`,
    TELEGRAM_WEBHOOK_URL: `http://127.0.0.1:${ports.ingress}/telegram/webhook`,
    INGRESS_HOST: '127.0.0.1',
    INGRESS_PORT: String(ports.ingress),
    FAKE_VIBER_PORT: String(ports.fakeViber),
    REFERENCE_PORT: String(ports.reference),
    SIMULATOR_PORT: String(ports.simulator),
    INGRESS_URL: `http://127.0.0.1:${ports.ingress}/viber/webhook`,
    FAKE_VIBER_URL: `http://127.0.0.1:${ports.fakeViber}`,
    REFERENCE_URL: reference,
    // Several workers on one host: each takes a free port for health and metrics, and logs it.
    OPS_PORT: '0',
    // Workers report their chats' states for the simulator's live diagram.
    INSPECT: '1',
    REFERENCE_PUBLIC_URL: reference,
    BILLING_URL: `${reference}/billing`,
    SMS_URL: `${reference}/sms`,
    PAYMENT_URL: `${reference}/payments`,
    PAYMENT_CALLBACK_URL: `http://127.0.0.1:${ports.ingress}/payments/callback`,
    // Local secrets only: a real deployment sets its own (see .env.example).
    PAYMENT_SECRET: 'local-payment-secret',
    SMS_CODE_SECRET: 'local-sms-code-secret',
  };
}
