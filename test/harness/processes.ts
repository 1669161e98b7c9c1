import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, waitForPort } from '../../services/dev/local-servers.js';

export type ServiceName = 'ingress' | 'worker' | 'outbound' | 'fake-viber';

export interface ServiceProcess {
  name: ServiceName;
  child: ChildProcess;
  /** Every JSON log line the process wrote. */
  logs: Record<string, unknown>[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts a service as a real Node process, exactly as `npm start` does. */
export function startService(name: ServiceName, env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', `services/${name}/main.ts`], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line));
      } catch {
        logs.push({ raw: line });
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => logs.push({ stderr: chunk.toString() }));
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

export async function waitForLog(service: ServiceProcess, message: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!service.logs.some((line) => line.msg === message)) {
    if (service.child.exitCode !== null) throw new Error(`${service.name} exited (${service.child.exitCode}):\n${JSON.stringify(service.logs.slice(-10), null, 1)}`);
    if (Date.now() > deadline) throw new Error(`${service.name} did not log "${message}" within ${timeoutMs} ms:\n${JSON.stringify(service.logs.slice(-10), null, 1)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface Stack {
  ingressUrl: string;
  fakeViberUrl: string;
  services: ServiceProcess[];
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** The four services on free ports, against the given bus and store. */
export async function startStack(options: { natsUrl: string; mongoUrl: string; mongoDb: string; authToken: string; extraEnv?: Record<string, string> }): Promise<Stack> {
  const [ingressPort, fakePort] = [await freePort(), await freePort()];
  const env = {
    NATS_URL: options.natsUrl,
    MONGO_URL: options.mongoUrl,
    MONGO_DB: options.mongoDb,
    VIBER_AUTH_TOKEN: options.authToken,
    VIBER_API_URL: `http://127.0.0.1:${fakePort}/pa`,
    INGRESS_HOST: '127.0.0.1',
    INGRESS_PORT: String(ingressPort),
    FAKE_VIBER_PORT: String(fakePort),
    PARTITIONS: '4',
    LOG_LEVEL: 'info',
    ...options.extraEnv,
  };
  const services = (['fake-viber', 'ingress', 'worker', 'outbound'] as const).map((name) => startService(name, env));
  const stopAll = async () => {
    await Promise.all(services.map((service) => service.stop()));
  };
  try {
    await Promise.all(services.map((service) => waitForLog(service, 'started')));
    await waitForPort(ingressPort, 10_000);
  } catch (error) {
    await stopAll();
    throw error;
  }
  return { ingressUrl: `http://127.0.0.1:${ingressPort}`, fakeViberUrl: `http://127.0.0.1:${fakePort}`, services, env, stop: stopAll };
}
