import { Counter, Histogram, type Registry } from 'prom-client';
import { LATENCY_BUCKETS, recordOutcome } from '../../../shared/ops/metrics.js';
import type { Logger } from '../../../shared/ops/logger.js';
import { turnLogger } from './turn-context.js';

export type Meter = <T extends object>(system: string, port: T) => T;

/**
 * A decorator for the ports to the systems outside the bot (billing, SMS, payments): each call is
 * counted by system, operation and outcome ("ok" or the error's class), timed, and logged with the
 * turn's correlation id. The adapters stay as they are.
 */
export function portMeter(registry: Registry, logger: Logger): Meter {
  const labelNames = ['system', 'operation', 'outcome'] as const;
  const calls = new Counter({
    name: 'energobot_external_calls_total',
    help: 'Calls to billing, SMS and payments by outcome',
    labelNames,
    registers: [registry],
  });
  const seconds = new Histogram({
    name: 'energobot_external_call_duration_seconds',
    help: 'Duration of calls to billing, SMS and payments',
    labelNames,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });

  return (system, port) =>
    new Proxy(port, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function' || typeof property !== 'string') return value;
        const call = (...args: unknown[]) => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        const settle = (outcome: string, elapsed: number) => {
          calls.inc({ system, operation: property, outcome });
          seconds.observe({ system, operation: property, outcome }, elapsed);
          // Arguments stay out of the line: they carry account numbers and phones.
          turnLogger(logger).info(
            { system, operation: property, outcome, ms: Math.round(elapsed * 1000) },
            'external call',
          );
        };
        return (...args: unknown[]) => recordOutcome(() => call(...args), settle);
      },
    });
}
