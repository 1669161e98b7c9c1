import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { checkReadiness, type ReadinessCheck } from './readiness.js';

export interface OpsRoutesOptions {
  registry: Registry;
  /** What must work for the service to do its job; readiness answers 503 while any fails. */
  checks: readonly ReadinessCheck[];
}

/**
 * Liveness (the process answers: restart it when it does not), readiness (its dependencies work:
 * send it no traffic while they do not) and Prometheus metrics, on any fastify app.
 */
export function registerOpsRoutes(app: FastifyInstance, options: OpsRoutesOptions): void {
  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/health/ready', async (_request, reply) => {
    const report = await checkReadiness(options.checks);
    return reply
      .code(report.ready ? 200 : 503)
      .send({ status: report.ready ? 'ok' : 'not ready', checks: report.checks });
  });
  app.get('/metrics', async (_request, reply) => {
    const text = await options.registry.metrics();
    return reply.header('content-type', options.registry.contentType).send(text);
  });
}
