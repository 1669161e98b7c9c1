import { byLabel, scrape, total } from './prometheus.js';
import { round } from './stats.js';

/** What one worker's `/metrics` says at one moment (counters since the worker started). */
interface WorkerReading {
  turns: Record<string, number>;
  activations: number;
  passivations: number;
  reruns: number;
  ownershipChanges: number;
  partitionsOwned: number;
  liveActors: number;
  /** Commands sent to the store: reads (find, …) and writes (insert, update, delete, …). */
  storeReads: number;
  storeWrites: number;
}

async function readWorker(metricsUrl: string): Promise<WorkerReading> {
  const samples = await scrape(metricsUrl);
  return {
    turns: byLabel(samples, 'energobot_turns_total', 'outcome'),
    activations: total(samples, 'energobot_actor_activations_total'),
    passivations: total(samples, 'energobot_actor_passivations_total'),
    reruns: total(samples, 'energobot_turns_rerun_total'),
    ownershipChanges: total(samples, 'energobot_ownership_changes_total'),
    partitionsOwned: total(samples, 'energobot_partitions_owned'),
    liveActors: total(samples, 'energobot_live_chat_actors'),
    storeReads: byLabel(samples, 'energobot_store_commands_total', 'access').read ?? 0,
    storeWrites: byLabel(samples, 'energobot_store_commands_total', 'access').write ?? 0,
  };
}

const readAll = (urls: string[]) => Promise.all(urls.map(readWorker));

/** What the workers did while the load ran, from their own metrics, summed over workers. */
export interface ActorFigures {
  /** Turns the workers ran, by outcome (applied, redelivered, duplicate, stale, failed:…). */
  turnsByOutcome: Record<string, number>;
  turns: number;
  /** Each activation is one read of the store; a turn of a chat whose actor is live reads nothing. */
  activations: number;
  activationsPerTurn: number | null;
  /** Each chat's first turn activates its actor: 1 / lines per chat is as low as it can go. */
  activationsPerTurnFloor: number;
  /** Turns run again on a fresh read because another writer had saved the chat first. */
  reruns: number;
  rerunsPerTurn: number | null;
  passivations: number;
  /** Store commands per turn (the chat's versions, SMS and payment records alike). */
  storeReadsPerTurn: number | null;
  storeWritesPerTurn: number | null;
  /** Per worker, at the end of the load. */
  partitionsOwned: number[];
  liveActors: number[];
  /** Partitions gained, released or lost: while the workers spread them at start, and during the load. */
  ownershipChanges: { atStart: number; duringLoad: number };
  /** From the stack's start to every partition owned and evenly spread; null if that never came. */
  balancedAfterMs: number | null;
}

/** Every partition owned, each worker holding its share: ceil or floor of partitions ÷ workers. */
function balanced(readings: WorkerReading[], partitions: number): boolean {
  const owned = readings.map((reading) => reading.partitionsOwned);
  const [low, high] = [Math.floor(partitions / owned.length), Math.ceil(partitions / owned.length)];
  const all = owned.reduce((sum, count) => sum + count, 0) === partitions;
  return all && owned.every((count) => count >= low && count <= high);
}

const BALANCE_TIMEOUT_MS = 30_000;

/** Polls the workers until their partitions are spread (or the timeout): the load meets a steady ownership. */
type Balance = { readings: WorkerReading[]; afterMs: number | null };

async function waitForBalance(urls: string[], partitions: number): Promise<Balance> {
  const started = Date.now();
  for (;;) {
    const readings = await readAll(urls);
    if (balanced(readings, partitions)) return { readings, afterMs: Date.now() - started };
    if (Date.now() - started > BALANCE_TIMEOUT_MS) return { readings, afterMs: null };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

type Pick = (reading: WorkerReading) => number;
const sum = (readings: WorkerReading[], pick: Pick) => readings.reduce((total, reading) => total + pick(reading), 0);
const perTurn = (count: number, turns: number) => (turns > 0 ? round(count / turns, 3) : null);

function turnsByOutcome(before: WorkerReading[], after: WorkerReading[]): Record<string, number> {
  const outcomes: Record<string, number> = {};
  after.forEach((reading, worker) => {
    for (const [outcome, count] of Object.entries(reading.turns)) {
      outcomes[outcome] = (outcomes[outcome] ?? 0) + count - (before[worker]!.turns[outcome] ?? 0);
    }
  });
  return outcomes;
}

/**
 * Waits until the started workers have spread the partitions, takes their counters, and gives a
 * `finish` that takes them again after the load (before the workers stop) and reports the difference.
 */
export async function watchWorkers(metricsUrls: string[], options: { partitions: number; linesPerChat: number }) {
  const { readings: before, afterMs } = await waitForBalance(metricsUrls, options.partitions);
  return {
    balancedAfterMs: afterMs,
    async finish(): Promise<ActorFigures> {
      const after = await readAll(metricsUrls);
      const delta = (pick: Pick) => sum(after, pick) - sum(before, pick);
      const outcomes = turnsByOutcome(before, after);
      const turns = Object.values(outcomes).reduce((total, count) => total + count, 0);
      const activations = delta((r) => r.activations);
      const reruns = delta((r) => r.reruns);
      return {
        turnsByOutcome: outcomes,
        turns,
        activations,
        activationsPerTurn: perTurn(activations, turns),
        activationsPerTurnFloor: round(1 / options.linesPerChat, 3),
        reruns,
        rerunsPerTurn: perTurn(reruns, turns),
        passivations: delta((r) => r.passivations),
        storeReadsPerTurn: perTurn(
          delta((r) => r.storeReads),
          turns,
        ),
        storeWritesPerTurn: perTurn(
          delta((r) => r.storeWrites),
          turns,
        ),
        partitionsOwned: after.map((r) => r.partitionsOwned),
        liveActors: after.map((r) => r.liveActors),
        ownershipChanges: {
          atStart: sum(before, (r) => r.ownershipChanges),
          duringLoad: delta((r) => r.ownershipChanges),
        },
        balancedAfterMs: afterMs,
      };
    },
  };
}
