import { parseArgs } from 'node:util';
import { BENCH_SCRIPTS, type BenchScriptName } from './script.js';

/** What one `npm run bench` measures; every field has a flag (see docs/benchmark.md). */
export interface BenchOptions {
  /** Distinct chats per scenario, one set of scenarios per figure; each chat sends the whole script. */
  chats: number[];
  /** What each chat says (tools/bench/script.ts): `short`, 2 lines, or `long`, 8 lines. */
  script: BenchScriptName;
  /** Worker process counts to run the pipeline with, each on fresh streams and a fresh database. */
  workers: number[];
  /** Chats whose script is in progress at once (each chat posts its lines one after the other). */
  concurrency: number;
  /** Webhooks per second over all chats; undefined means flat out under the concurrency cap. */
  rate: number | undefined;
  partitions: number;
  /** Messages of the raw JetStream ceiling. */
  jetstreamMessages: number;
  /** Write a V8 CPU profile of every worker and summarise it. */
  profile: boolean;
  /**
   * Worker counts and chat counts of the pipeline whose chats are half on Telegram, half on Viber.
   * By default 1 and 2 workers at the first of `chats` only, which keeps the default run within
   * ~15 % of its length without them.
   */
  mixedWorkers: number[];
  mixedChats: number[];
  /** Which parts to run; all by default. `skipPipeline` leaves out the Viber-only pipeline rows. */
  skipPipeline: boolean;
  skipMixed: boolean;
  skipBaseline: boolean;
  skipCeilings: boolean;
  outDir: string;
}

const positive = (name: string, text: string): number => {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got "${text}"`);
  return value;
};

function scriptName(text: string): BenchScriptName {
  const names = Object.keys(BENCH_SCRIPTS);
  if (!names.includes(text)) throw new Error(`--script must be one of ${names.join(', ')}, got "${text}"`);
  return text as BenchScriptName;
}

export function readBenchOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      chats: { type: 'string', default: '1000,10000' },
      script: { type: 'string', default: 'short' },
      workers: { type: 'string', default: '1,2,4' },
      concurrency: { type: 'string', default: '200' },
      rate: { type: 'string' },
      partitions: { type: 'string', default: '16' },
      'jetstream-messages': { type: 'string', default: '20000' },
      profile: { type: 'boolean', default: false },
      'mixed-workers': { type: 'string', default: '1,2' },
      'mixed-chats': { type: 'string' },
      'skip-pipeline': { type: 'boolean', default: false },
      'skip-mixed': { type: 'boolean', default: false },
      'skip-baseline': { type: 'boolean', default: false },
      'skip-ceilings': { type: 'boolean', default: false },
      out: { type: 'string', default: 'bench-results' },
    },
  });
  const counts = (name: string, text: string) => text.split(',').map((count) => Math.round(positive(name, count)));
  const chats = counts('chats', values.chats);
  return {
    chats,
    script: scriptName(values.script),
    workers: counts('workers', values.workers),
    concurrency: Math.round(positive('concurrency', values.concurrency)),
    rate: values.rate === undefined ? undefined : positive('rate', values.rate),
    partitions: Math.round(positive('partitions', values.partitions)),
    jetstreamMessages: Math.round(positive('jetstream-messages', values['jetstream-messages'])),
    profile: values.profile,
    mixedWorkers: counts('mixed-workers', values['mixed-workers']),
    mixedChats: values['mixed-chats'] === undefined ? chats.slice(0, 1) : counts('mixed-chats', values['mixed-chats']),
    skipPipeline: values['skip-pipeline'],
    skipMixed: values['skip-mixed'],
    skipBaseline: values['skip-baseline'],
    skipCeilings: values['skip-ceilings'],
    outDir: values.out,
  };
}
