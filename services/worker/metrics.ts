import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { errorKind, LATENCY_BUCKETS, recordOutcome } from '../../shared/ops/metrics.js';
import type { ApplyOutcome } from './actors/chat-actor.js';

export interface WorkerMetrics {
  /** A turn ended: its outcome (or the error's class) and how long it took, in seconds. */
  turnDone(outcome: ApplyOutcome | string, seconds: number): void;
}

/** Times `run` and reports its outcome, or the class of what it threw, to `metrics`. */
export function meteredTurn(metrics: WorkerMetrics, run: () => Promise<ApplyOutcome>): Promise<ApplyOutcome> {
  return recordOutcome(run, (outcome, seconds) => metrics.turnDone(outcome, seconds), {
    ok: (outcome) => outcome,
    failed: (error) => `failed:${errorKind(error)}`,
  });
}

/** What the worker's metrics read at scrape time. */
export interface WorkerGauges {
  actors: { size: number; activations: number; passivations: number; reruns: number };
  ownedPartitions(): number;
  ownershipChanges(): number;
}

/** Copies a running total kept elsewhere into a counter at scrape time. */
const totalCounter = (registry: Registry, name: string, help: string, read: () => number) =>
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });

/** Turns by outcome and their duration; the live actors, their activations and the partitions owned. */
export function registerWorkerMetrics(registry: Registry, gauges: WorkerGauges): WorkerMetrics {
  const turns = new Counter({
    name: 'energobot_turns_total',
    help: 'Chat events processed, by outcome (applied, redelivered, duplicate, stale, failed:<error>)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const seconds = new Histogram({
    name: 'energobot_turn_duration_seconds',
    help: 'One chat event from load to published replies',
    labelNames: ['outcome'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const { actors } = gauges;
  new Gauge({
    name: 'energobot_live_chat_actors',
    help: 'Chat actors this worker keeps in memory',
    registers: [registry],
    collect() {
      this.set(actors.size);
    },
  });
  new Gauge({
    name: 'energobot_partitions_owned',
    help: 'Partitions of the chat events this worker owns now',
    registers: [registry],
    collect() {
      this.set(gauges.ownedPartitions());
    },
  });
  totalCounter(
    registry,
    'energobot_actor_activations_total',
    'Chat actors activated (their state read from the store)',
    () => actors.activations,
  );
  totalCounter(
    registry,
    'energobot_actor_passivations_total',
    'Chat actors passivated (idle, evicted, or their partition moved)',
    () => actors.passivations,
  );
  totalCounter(
    registry,
    'energobot_turns_rerun_total',
    'Turns run again on a fresh read after another writer saved the chat first',
    () => actors.reruns,
  );
  totalCounter(
    registry,
    'energobot_ownership_changes_total',
    'Partitions gained, released or lost by this worker',
    () => gauges.ownershipChanges(),
  );
  return {
    turnDone(outcome, elapsed) {
      turns.inc({ outcome });
      seconds.observe({ outcome }, elapsed);
    },
  };
}
