import { cpus, loadavg, totalmem } from 'node:os';
import type { JetStreamCeiling } from './jetstream-ceiling.js';
import type { ScenarioResult } from './scenario.js';
import type { StoreSize } from './infra.js';
import type { SelfTime } from './cpu-profile.js';
import type { StoreCosts } from './store-costs.js';
import type { ActorFigures } from './worker-metrics.js';
import { round } from './stats.js';

/** A scenario's figures, with the workers' own counters where there were workers. */
export type MeasuredScenario = ScenarioResult & {
  /** Distinct chats of the load (the baseline and pipelines; the ceilings have none). */
  chats?: number;
  workers?: number;
  /** Webhooks per second when the load was paced; flat out otherwise. */
  rate?: number;
  storeSize?: StoreSize | null;
  actors?: ActorFigures;
};

export interface ServiceProfile {
  idlePercent: number;
  hotFunctions: SelfTime[];
  hotPlaces: SelfTime[];
  files: string;
}

export interface BenchResults {
  startedAt: string;
  /** Load averages show whether something else ran on the machine meanwhile. */
  machine: {
    cpuModel: string;
    cores: number;
    memoryGb: number;
    node: string;
    loadAverageAtStart: number[];
    loadAverageAtEnd?: number[];
  };
  storeEngine: string;
  options: Record<string, unknown>;
  scenarios: MeasuredScenario[];
  jetstream?: JetStreamCeiling;
  storeCosts?: StoreCosts;
  /** Sustained turns/s of each pipeline run divided by the one-process baseline's. */
  pipelineToBaseline?: Record<string, number>;
  /** CPU profiles of the last pipeline scenario, by service (the workers together). */
  profile?: Record<string, ServiceProfile>;
}

export const describeMachine = (): BenchResults['machine'] => ({
  cpuModel: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGb: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  loadAverageAtStart: loadavg().map((load) => Math.round(load * 100) / 100),
});

/** A scenario whose chats were on more than one channel. */
export const isMixed = (s: ScenarioResult): boolean => Object.keys(s.chatsByChannel).length > 1;

const ms = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(0));

/** Before one live actor per chat (docs/benchmark.md, 1 000 chats × 2 lines): turns/s fell with workers. */
const EARLIER_TURNS_PER_SECOND: Record<number, number> = { 1: 9.7, 2: 7.8, 4: 6.4 };

/** CPU milliseconds a process spent per turn whose replies arrived; '-' where nothing was answered. */
function cpuMsPerTurn(s: MeasuredScenario, cpuSeconds: number): number | string {
  const turns = s.turns?.turns ?? 0;
  return turns > 0 ? round((cpuSeconds * 1000) / turns, 2) : '-';
}

const sumCpuSeconds = (s: MeasuredScenario, only: (name: string) => boolean = () => true) =>
  s.processes.filter((p) => only(p.name)).reduce((sum, p) => sum + p.cpuSeconds, 0);

/** The pipeline's own processes, whose CPU per turn has a target (issue 15: 2.5 ms): no store, no fakes. */
const isPipelineProcess = (name: string) => /^(ingress|worker|outbound|nats)/.test(name);

function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => row[column]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...cells.slice(1).map(line),
  ].join('\n');
}

/** The figures as Markdown tables: one line per scenario, then the processes of each. */
export function formatResults(results: BenchResults): string {
  const scenarios = table(
    [
      ...[
        'scenario',
        'webhooks/s',
        'answer p50/p99 ms',
        'turns/s',
        'CPU ms/turn (all)',
        'CPU ms/turn (pipeline)',
        'replies/s',
      ],
      ...['turn latency p50/p95/p99 ms', 'non-200', 'dup', 'out of order', 'missing', 'store B/chat', 'CPU % (all)'],
      'machine busy / steal (% of all cores)',
    ],
    results.scenarios.map((s) => [
      s.name,
      s.webhook.answeredPerSecond,
      `${ms(s.webhook.answerMs?.p50)}/${ms(s.webhook.answerMs?.p99)}`,
      s.turns?.turnsPerSecond ?? '-',
      cpuMsPerTurn(s, sumCpuSeconds(s)),
      s.workers ? cpuMsPerTurn(s, sumCpuSeconds(s, isPipelineProcess)) : '-',
      s.turns?.repliesPerSecond ?? '-',
      s.turns?.latencyMs
        ? `${ms(s.turns.latencyMs.p50)}/${ms(s.turns.latencyMs.p95)}/${ms(s.turns.latencyMs.p99)}`
        : '-',
      s.webhook.errors,
      s.turns?.duplicates ?? '-',
      s.turns?.outOfOrderChats ?? '-',
      s.turns?.missing ?? '-',
      s.storeSize?.bytesPerChat ?? '-',
      s.processes.reduce((sum, p) => sum + p.cpuPercent, 0),
      s.machineCpu ? `${s.machineCpu.busyPercent} / ${s.machineCpu.stealPercent}` : '-',
    ]),
  );
  const processes = table(
    ['scenario', 'process', 'CPU %', 'CPU s', 'CPU ms/turn', 'peak RSS MB'],
    results.scenarios.flatMap((s) =>
      s.processes.map((p) => [s.name, p.name, p.cpuPercent, p.cpuSeconds, cpuMsPerTurn(s, p.cpuSeconds), p.peakRssMb]),
    ),
  );
  const { machine } = results;
  const parts = [
    `${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGb} GiB, Node ${machine.node}; ` +
      `load average ${machine.loadAverageAtStart.join(' ')} at start, ` +
      `${machine.loadAverageAtEnd?.join(' ') ?? '?'} at end`,
    '',
    scenarios,
    '',
    processes,
  ];
  for (const paced of results.scenarios.filter((s) => s.rate !== undefined && s.turns)) {
    const { latencyByWindow, steadyLatencyMs: steady } = paced.turns!;
    const windows = latencyByWindow.map((w) => `${w.fromS} s ${ms(w.p99)}/${ms(w.max)}`);
    parts.push(
      '',
      `${paced.name}: turn latency p50/p95/p99 of the steady window (posts between the 10th and 90th ` +
        `percentile of their times) ${steady ? `${ms(steady.p50)}/${ms(steady.p95)}/${ms(steady.p99)}` : '-'} ms; ` +
        `p99/max by 10 s of the load: ${windows.join(', ')}`,
    );
  }
  parts.push(...workerFigures(results.scenarios));
  if (results.pipelineToBaseline)
    parts.push(
      '',
      `pipeline / baseline (turns/s): ${Object.entries(results.pipelineToBaseline)
        .map(([name, ratio]) => `${name} ${ratio}`)
        .join(', ')}`,
    );
  if (results.jetstream) {
    const j = results.jetstream;
    parts.push(
      '',
      `JetStream alone (${j.messages} messages): publish ${j.publishPerSecond}/s, ` +
        `batched pull+ack ${j.consumeBatchedPerSecond}/s, ` +
        `one at a time (max_ack_pending 1, ${j.oneAtATimeMessages} messages) ` +
        `${j.consumeOneAtATimePerSecond}/s`,
    );
    if (j.cpu) {
      const { publish, consumeOneAtATime: consume } = j.cpu;
      parts.push(
        `JetStream CPU per message (ms, client + nats-server): publish awaiting its ack ` +
          `${publish.clientMs} + ${publish.natsServerMs}; delivery one at a time with its ack ` +
          `${consume.clientMs} + ${consume.natsServerMs}`,
      );
    }
  }
  if (results.storeCosts) {
    const c = results.storeCosts;
    parts.push(
      '',
      `store operations on ${c.documentsBefore} documents (${c.concurrency} at once in the last column); ` +
        `snapshot ${c.snapshotBytes} B, JSON.stringify ${c.snapshotStringifyMicros} µs, ` +
        `JSON.parse ${c.snapshotParseMicros} µs`,
    );
    parts.push(
      table(
        ['operation', 'ms each', 'driver CPU ms each', 'ops/s alone', `ops/s ${c.concurrency} at once`],
        c.operations.map((o) => [
          o.operation,
          o.msEach,
          o.clientCpuMsEach,
          o.opsPerSecondAlone,
          o.opsPerSecondConcurrent,
        ]),
      ),
    );
  }
  for (const [service, profile] of Object.entries(results.profile ?? {})) {
    const title =
      `${service} CPU profile (${profile.files}): idle ${profile.idlePercent} % of the time; ` +
      'self time as % of the busy time:';
    parts.push(
      '',
      title,
      table(
        ['function', '%'],
        profile.hotFunctions.map((f) => [f.what, f.percent]),
      ),
    );
    parts.push(
      '',
      table(
        ['package or folder', '%'],
        profile.hotPlaces.map((f) => [f.what, f.percent]),
      ),
    );
  }
  return parts.join('\n');
}

const joined = (values: number[]) => values.join('/');

/**
 * What the workers' own metrics say of each pipeline run: how often a turn had to read the store
 * (an activation), ran again, or met a partition moving; and turns/s against workers, beside the
 * figures from before one live actor per chat.
 */
function workerFigures(scenarios: MeasuredScenario[]): string[] {
  const pipelines = scenarios.filter((s) => s.workers && s.actors);
  if (pipelines.length === 0) return [];
  const rows = pipelines.map((s) => {
    const a = s.actors!;
    return [
      s.name,
      a.turns,
      `${a.activationsPerTurn ?? '-'} (floor ${a.activationsPerTurnFloor})`,
      a.rerunsPerTurn ?? '-',
      `${a.storeReadsPerTurn ?? '-'} / ${a.storeWritesPerTurn ?? '-'}`,
      a.passivations,
      joined(a.partitionsOwned),
      joined(a.liveActors),
      `${a.ownershipChanges.atStart}/${a.ownershipChanges.duringLoad}`,
      a.balancedAfterMs === null ? 'never' : (a.balancedAfterMs / 1000).toFixed(1),
    ];
  });
  const header = [
    ...[
      'scenario',
      'turns (workers)',
      'activations/turn',
      're-runs/turn',
      'store reads / writes per turn',
      'passivations',
    ],
    ...['partitions per worker', 'live actors per worker', 'ownership changes start/load', 'spread after s'],
  ];
  // Workers against workers on the same load: the mixed rows are the channels' comparison, not this one.
  const scaling = pipelines
    .filter((s) => !isMixed(s))
    .map((s) => {
      const earlier = EARLIER_TURNS_PER_SECOND[s.workers!];
      return `${s.workers}w ${s.turns?.turnsPerSecond ?? '-'}${earlier ? ` (before: ${earlier})` : ''}`;
    });
  return [
    '',
    "workers' metrics over the load, summed over workers: an activation reads the chat from the store, a turn",
    "of a live actor reads nothing, so each chat's first turn sets the floor of activations/turn (1 / lines per chat)",
    table(header, rows),
    '',
    `turns/s by workers: ${scaling.join(', ')}`,
    '("before": docs/benchmark.md, before one live actor per chat, 1 000 chats × 2 lines)',
  ];
}
