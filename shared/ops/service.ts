import type { Registry } from 'prom-client';
import { connectBus, type Bus } from '../bus/bus.js';
import { ensureTopology } from '../bus/chat-bus.js';
import { readConfig, readInfraConfig, type ConfigReader, type InfraConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { createRegistry } from './metrics.js';
import { readOpsConfig, startOpsServer, type OpsServer } from './ops-server.js';
import type { ReadinessCheck } from './readiness.js';

export interface RunningService {
  /** Stop taking work, finish what is in hand, close connections. */
  stop(): Promise<void>;
}

/**
 * Runs a service until SIGTERM or SIGINT, then stops it gracefully. A failed start or a stop
 * that hangs ends the process with a non-zero code, so a supervisor restarts it.
 */
export function runService(logger: Logger, start: () => Promise<RunningService>, stopTimeoutMs = 15_000): void {
  let running: RunningService | undefined;
  let stopping = false;

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    const timer = setTimeout(() => {
      logger.error('stop took too long; exiting');
      process.exit(1);
    }, stopTimeoutMs);
    timer.unref();
    try {
      await running?.stop();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'stop failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  start()
    .then((service) => {
      running = service;
      logger.info('started');
    })
    .catch((error) => {
      logger.fatal({ err: error }, 'start failed');
      process.exit(1);
    });
}

export interface ServiceSpec<S, P> {
  /** Names the logger, the bus connection and the metrics' `service` label. */
  name: string;
  /** The service's own settings, read with the shared ones: every problem is reported together at start. */
  settings(env: ConfigReader, infra: InfraConfig): S;
  /**
   * The default port of a health and metrics server of the service's own (OPS_PORT), for a service
   * with no HTTP server.
   */
  opsPort?: number;
  /** What is checked before connecting to anything (the worker's content): a broken one stops the start at once. */
  prepare?(settings: S): Promise<P>;
}

export interface ServiceContext<S, P> {
  settings: S;
  infra: InfraConfig;
  prepared: P;
  logger: Logger;
  /** Connected, with the streams and outbound's consumers in place; closed after the service stops. */
  bus: Bus;
  registry: Registry;
  /** Starts the health and metrics server on the ops port (see `opsPort`); it is the first thing stopped. */
  serveOps(checks: ReadinessCheck[]): Promise<void>;
}

export interface StartedService extends RunningService {
  /** Closes the service's own connections, after the bus (the worker's store). */
  disconnect?(): Promise<void>;
}

/**
 * A deployed service's start, as every one of them does it: its settings read and checked (a
 * problem ends the process with a non-zero code, naming it), the logger, the bus and its topology,
 * the metrics registry, and the ops server; then `start` does the service's own work, and the
 * stop undoes it all in the reverse order (see runService for signals and exit codes).
 */
export function bootService<S, P = undefined>(
  spec: ServiceSpec<S, P>,
  start: (service: ServiceContext<S, P>) => Promise<StartedService>,
): void {
  const env = readConfig();
  const infra = readInfraConfig(env);
  const settings = spec.settings(env, infra);
  const ops = spec.opsPort === undefined ? undefined : readOpsConfig(env, spec.opsPort);
  const logger = createLogger(spec.name, infra.logLevel);

  runService(logger, async () => {
    env.done();
    const prepared = (await spec.prepare?.(settings)) as P;
    const bus = await connectBus(infra.natsUrl, spec.name, logger);
    await ensureTopology(bus.jsm, infra);
    const registry = createRegistry(spec.name);
    let opsServer: OpsServer | undefined;
    const serveOps = async (checks: ReadinessCheck[]) => {
      if (!ops) throw new Error(`${spec.name} has no ops port: give its spec one`);
      opsServer = await startOpsServer(ops, { registry, checks, logger });
    };
    const service = await start({ settings, infra, prepared, logger, bus, registry, serveOps });
    return {
      async stop() {
        await opsServer?.close();
        await service.stop();
        await bus.close();
        await service.disconnect?.();
      },
    };
  });
}
