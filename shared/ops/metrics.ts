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

/** How a call's outcome is named: a result's (default "ok"), and an error's (default its class). */
export interface OutcomeNames<T> {
  ok?(result: T): string;
  failed?(error: unknown): string;
}

/**
 * Runs `call` and reports how it ended and how long it took, in seconds, to `record`; returns its
 * result, or throws on what it threw. The one way calls are metered, so every meter times alike.
 */
export async function recordOutcome<T>(
  call: () => Promise<T>,
  record: (outcome: string, seconds: number) => void,
  names: OutcomeNames<T> = {},
): Promise<T> {
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  let result: T;
  try {
    result = await call();
  } catch (error) {
    record((names.failed ?? errorKind)(error), elapsed());
    throw error;
  }
  record(names.ok?.(result) ?? 'ok', elapsed());
  return result;
}
