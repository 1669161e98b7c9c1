import Fastify from 'fastify';
import type { ConfigReader } from './config.js';
import type { Logger } from './logger.js';
import { registerOpsRoutes, type OpsRoutesOptions } from './ops-routes.js';

export interface OpsConfig {
  host: string;
  /** 0 takes any free port (logged): several processes of one service on one host. */
  port: number;
}

export function readOpsConfig(env: ConfigReader, defaultPort: number): OpsConfig {
  return {
    host: env.string('OPS_HOST', '0.0.0.0'),
    port: env.int('OPS_PORT', defaultPort, { min: 0, max: 65535 }),
  };
}

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * The health and metrics endpoints of a service that has no HTTP server of its own (worker,
 * outbound). Apart from the service's work, so a scrape never waits behind it.
 */
export async function startOpsServer(
  config: OpsConfig,
  options: OpsRoutesOptions & { logger: Logger },
): Promise<OpsServer> {
  const app = Fastify({ logger: false });
  registerOpsRoutes(app, options);
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  // Tests and `npm start` find a port chosen by the system in this line.
  options.logger.info({ opsPort: port }, 'ops server listening');
  return { port, close: () => app.close() };
}
