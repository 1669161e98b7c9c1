import { freePort, waitForPort } from '../../services/dev/local-servers.js';
import { startService, waitForLog, type ServiceProcess } from '../../services/dev/processes.js';

export { startService, waitForLog, type ServiceProcess };

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
