import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { errorKind, LATENCY_BUCKETS } from '../../shared/metrics.js';
import type { ApplyOutcome } from './apply-event.js';
import type { CachedChatStore } from './cached-chat-store.js';

export interface WorkerMetrics {
  /** A turn ended: its outcome (or the error's class) and how long it took, in seconds. */
  turnDone(outcome: ApplyOutcome | string, seconds: number): void;
}

/** Times `run` and reports its outcome, or the class of what it threw, to `metrics`. */
export async function meteredTurn(metrics: WorkerMetrics, run: () => Promise<ApplyOutcome>): Promise<ApplyOutcome> {
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  try {
    const outcome = await run();
    metrics.turnDone(outcome, elapsed());
    return outcome;
  } catch (error) {
    metrics.turnDone(`failed:${errorKind(error)}`, elapsed());
    throw error;
  }
}

/** Turns by outcome and their duration, and the hot-chat cache read at scrape time. */
export function registerWorkerMetrics(registry: Registry, chats: CachedChatStore): WorkerMetrics {
  const turns = new Counter({ name: 'energobot_turns_total', help: 'Chat events processed, by outcome (applied, redelivered, duplicate, stale, failed:<error>)', labelNames: ['outcome'], registers: [registry] });
  const seconds = new Histogram({ name: 'energobot_turn_duration_seconds', help: 'One chat event from load to published replies', labelNames: ['outcome'], buckets: LATENCY_BUCKETS, registers: [registry] });
  new Gauge({
    name: 'energobot_hot_chats',
    help: 'Chats whose latest record this worker keeps in memory',
    registers: [registry],
    collect() {
      this.set(chats.size);
    },
  });
  // The cache counts for itself; the counters copy its totals at scrape time.
  new Counter({
    name: 'energobot_hot_chat_lookups_total',
    help: 'Chat loads answered from memory (hit) or from the store (miss)',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ result: 'hit' }, chats.hits);
      this.inc({ result: 'miss' }, chats.misses);
    },
  });
  return {
    turnDone(outcome, elapsed) {
      turns.inc({ outcome });
      seconds.observe({ outcome }, elapsed);
    },
  };
}
