import { waitForPort } from '../../tools/dev/local-servers.js';
import {
  freeStackPorts,
  localStackEnv,
  startService,
  waitForLog,
  type ServiceName,
  type ServiceProcess,
} from '../../tools/dev/processes.js';

export { startService, waitForLog, type ServiceProcess };

/** Where a worker's or outbound's health and metrics are: the port its ops server logged (OPS_PORT=0). */
export async function opsUrlOf(service: ServiceProcess): Promise<string> {
  await waitForLog(service, 'ops server listening');
  const line = service.logs.find((entry) => entry.msg === 'ops server listening');
  return `http://127.0.0.1:${String(line?.opsPort)}`;
}

export interface Stack {
  ingressUrl: string;
  fakeViberUrl: string;
  /** The fake Telegram Bot API (started when the stack was asked for Telegram). */
  fakeTelegramUrl: string;
  /** Where Telegram's updates go, and the secret they carry. */
  telegramWebhook: { url: string; secret: string };
  referenceUrl: string;
  /** The Viber simulator page. */
  simulatorUrl: string;
  services: ServiceProcess[];
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** The services on free ports, against the given bus and store, wired as `npm start` wires them. */
export async function startStack(options: {
  natsUrl: string;
  mongoUrl: string;
  mongoDb: string;
  authToken: string;
  extraEnv?: Record<string, string>;
  workers?: number;
  /** Start the fake Telegram Bot API too (Viber's fake always runs). */
  telegram?: boolean;
}): Promise<Stack> {
  const ports = await freeStackPorts();
  const env: Record<string, string> = {
    ...localStackEnv({ ...options, ports }),
    PARTITIONS: '4',
    LOG_LEVEL: 'info',
    ...options.extraEnv,
  };
  const names: ServiceName[] = [
    'fake-viber',
    ...(options.telegram ? (['fake-telegram'] as const) : []),
    'reference',
    'ingress',
    ...Array<ServiceName>(options.workers ?? 1).fill('worker'),
    'outbound',
    'simulator',
  ];
  const services = names.map((name) => startService(name, env));
  const stopAll = async () => {
    await Promise.all(services.map((service) => service.stop()));
  };
  try {
    await Promise.all(services.map((service) => waitForLog(service, 'started')));
    await waitForPort(ports.ingress, 10_000);
  } catch (error) {
    await stopAll();
    throw error;
  }
  return {
    ingressUrl: `http://127.0.0.1:${ports.ingress}`,
    fakeViberUrl: `http://127.0.0.1:${ports.fakeViber}`,
    fakeTelegramUrl: env.FAKE_TELEGRAM_URL!,
    telegramWebhook: { url: env.TELEGRAM_WEBHOOK_URL!, secret: env.TELEGRAM_WEBHOOK_SECRET! },
    referenceUrl: `http://127.0.0.1:${ports.reference}`,
    simulatorUrl: `http://127.0.0.1:${ports.simulator}`,
    services,
    env,
    stop: stopAll,
  };
}
