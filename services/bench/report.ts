import { cpus, loadavg, totalmem } from 'node:os';
import type { JetStreamCeiling } from './jetstream-ceiling.js';
import type { ScenarioResult } from './scenario.js';
import type { StoreSize } from './infra.js';
import type { SelfTime } from './cpu-profile.js';
import type { StoreCosts } from './store-costs.js';

export type MeasuredScenario = ScenarioResult & { workers?: number; storeSize?: StoreSize | null };

export interface BenchResults {
  startedAt: string;
  /** Load averages show whether something else ran on the machine meanwhile. */
  machine: { cpuModel: string; cores: number; memoryGb: number; node: string; loadAverageAtStart: number[]; loadAverageAtEnd?: number[] };
  storeEngine: string;
  options: Record<string, unknown>;
  scenarios: MeasuredScenario[];
  jetstream?: JetStreamCeiling;
  storeCosts?: StoreCosts;
  /** Sustained turns/s of each pipeline run divided by the one-process baseline's. */
  pipelineToBaseline?: Record<string, number>;
  profile?: { idlePercent: number; hotFunctions: SelfTime[]; hotPlaces: SelfTime[]; files: string };
}

export const describeMachine = (): BenchResults['machine'] => ({
  cpuModel: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGb: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  loadAverageAtStart: loadavg().map((load) => Math.round(load * 100) / 100),
});

const ms = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(0));

function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => row[column]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

/** The figures as Markdown tables: one line per scenario, then the processes of each. */
export function formatResults(results: BenchResults): string {
  const scenarios = table(
    ['scenario', 'webhooks/s', 'answer p50/p99 ms', 'turns/s', 'replies/s', 'turn latency p50/p95/p99 ms', 'non-200', 'dup', 'out of order', 'missing', 'store B/chat', 'CPU % (all)'],
    results.scenarios.map((s) => [
      s.name,
      s.webhook.answeredPerSecond,
      `${ms(s.webhook.answerMs?.p50)}/${ms(s.webhook.answerMs?.p99)}`,
      s.turns?.turnsPerSecond ?? '-',
      s.turns?.repliesPerSecond ?? '-',
      s.turns?.latencyMs ? `${ms(s.turns.latencyMs.p50)}/${ms(s.turns.latencyMs.p95)}/${ms(s.turns.latencyMs.p99)}` : '-',
      s.webhook.errors,
      s.turns?.duplicates ?? '-',
      s.turns?.outOfOrderChats ?? '-',
      s.turns?.missing ?? '-',
      s.storeSize?.bytesPerChat ?? '-',
      s.processes.reduce((sum, p) => sum + p.cpuPercent, 0),
    ]),
  );
  const processes = table(
    ['scenario', 'process', 'CPU %', 'CPU s', 'peak RSS MB'],
    results.scenarios.flatMap((s) => s.processes.map((p) => [s.name, p.name, p.cpuPercent, p.cpuSeconds, p.peakRssMb])),
  );
  const { machine } = results;
  const parts = [`${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGb} GiB, Node ${machine.node}; load average ${machine.loadAverageAtStart.join(' ')} at start, ${machine.loadAverageAtEnd?.join(' ') ?? '?'} at end`, '', scenarios, '', processes];
  if (results.pipelineToBaseline) parts.push('', `pipeline / baseline (turns/s): ${Object.entries(results.pipelineToBaseline).map(([name, ratio]) => `${name} ${ratio}`).join(', ')}`);
  if (results.jetstream) {
    const j = results.jetstream;
    parts.push('', `JetStream alone (${j.messages} messages): publish ${j.publishPerSecond}/s, batched pull+ack ${j.consumeBatchedPerSecond}/s, one at a time with ackAck (max_ack_pending 1, ${j.oneAtATimeMessages} messages) ${j.consumeOneAtATimePerSecond}/s`);
  }
  if (results.storeCosts) {
    const c = results.storeCosts;
    parts.push('', `store operations on ${c.documentsBefore} documents (${c.concurrency} at once in the last column); snapshot ${c.snapshotBytes} B, JSON.stringify ${c.snapshotStringifyMicros} µs, JSON.parse ${c.snapshotParseMicros} µs`);
    parts.push(table(['operation', 'ms each', 'ops/s alone', `ops/s ${c.concurrency} at once`], c.operations.map((o) => [o.operation, o.msEach, o.opsPerSecondAlone, o.opsPerSecondConcurrent])));
  }
  if (results.profile) {
    parts.push('', `worker CPU profile (${results.profile.files}): idle ${results.profile.idlePercent} % of the time; self time as % of the busy time:`, table(['function', '%'], results.profile.hotFunctions.map((f) => [f.what, f.percent])));
    parts.push('', table(['package or folder', '%'], results.profile.hotPlaces.map((f) => [f.what, f.percent])));
  }
  return parts.join('\n');
}
