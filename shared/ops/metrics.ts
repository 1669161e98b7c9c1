import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * One Prometheus registry per process, with Node's process metrics (CPU, memory, event loop lag,
 * GC) and a `service` label on every series, so one dashboard can tell ingress from a worker.
 */
export function createRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Seconds; from a fast store round trip to a turn waiting on a slow billing call. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The class name of what was thrown (e.g. BillingUnavailableError): a label with few values, never a message. */
export const errorKind = (error: unknown): string => (error instanceof Error ? error.name : 'unknown');
