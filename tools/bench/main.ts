import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Channel } from '../../shared/contracts/channel.js';
import { BENCH_CHANNELS, expectedOn, type ChannelPlan } from './channels.js';
import { hotFunctions, hotPlaces, idlePercent, readProfiles } from './cpu-profile.js';
import { emptyBus, startBenchInfra, storeSizePerChat, type BenchInfra } from './infra.js';
import { measureJetStream } from './jetstream-ceiling.js';
import { readBenchOptions, type BenchOptions } from './options.js';
import { describeMachine, formatResults, isMixed, type BenchResults, type MeasuredScenario } from './report.js';
import { runScenario, type ScenarioPlan } from './scenario.js';
import { BENCH_SCRIPTS, runScriptInProcess } from './script.js';
import { measureStoreCosts } from './store-costs.js';
import { startBaseline, startEmptyWebhook, startPipeline, type RunningTarget } from './stacks.js';
import { round } from './stats.js';
import { watchWorkers } from './worker-metrics.js';

/**
 * `npm run bench`: the pipeline with 1, 2 and 4 workers, the same bot in one process without the
 * bus, the pipeline with half its chats on Telegram, and the raw ceilings of fastify and JetStream,
 * on throwaway servers. See docs/benchmark.md.
 */
const options = readBenchOptions(process.argv.slice(2));
const say = (message: string) => console.log(`[bench] ${message}`);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
/** A database of this run's own for each scenario, so none pays for another's data. */
const databaseFor = (scenario: string) => `bench_${stamp}_${scenario}`.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 60);

/** What must be stopped if the run is interrupted: the servers and the scenario's processes. */
const running = new Set<() => Promise<void>>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`${signal}: stopping the processes started`);
    void Promise.allSettled([...running].map((stop) => stop())).then(() => process.exit(130));
  });
}

/** What each line of the script makes the bot send, per channel, as the channel's fake records it. */
type ExpectedReplies = Record<Channel, string[][]>;

/** The channels a scenario's chats are on: Viber alone, or half on Telegram (chats alternate). */
const VIBER_ONLY: readonly Channel[] = ['viber'];
const HALF_TELEGRAM: readonly Channel[] = ['viber', 'telegram'];

/** The scenario's channels on a started target; replies are followed wherever the target has a fake. */
function channelPlans(target: RunningTarget, channels: readonly Channel[], expected: ExpectedReplies): ChannelPlan[] {
  return channels.map((name) => {
    const endpoint = target.endpoints[name];
    if (!endpoint) throw new Error(`the target takes no ${name} webhooks`);
    const { webhookUrl, secret, fakeUrl } = endpoint;
    const replies = fakeUrl === undefined ? undefined : { fakeUrl, expectedPerLine: expected[name] };
    return { channel: BENCH_CHANNELS[name], webhookUrl, secret, replies };
  });
}

type MeasurePlan = Omit<ScenarioPlan, 'processes' | 'channels'> & {
  channels: readonly Channel[];
  expected: ExpectedReplies;
};

/**
 * Runs the load against a started target, then stops it whatever happened. Where there are workers,
 * the load waits until they have spread the partitions, and their metrics are read before they stop.
 */
async function measure(target: RunningTarget, infra: BenchInfra, plan: MeasurePlan): Promise<MeasuredScenario> {
  running.add(target.stop);
  try {
    const { channels: on, expected, ...load } = plan;
    const channels = channelPlans(target, on, expected);
    const urls = target.workerMetricsUrls;
    const linesPerChat = load.script.length;
    const workers = urls && (await watchWorkers(urls, { partitions: options.partitions, linesPerChat }));
    if (workers) say(`partitions spread after ${workers.balancedAfterMs ?? 'more than 30 000'} ms`);
    const bench = { name: 'bench (load generator)', pid: process.pid };
    const processes = [...target.processes, ...infra.processes, bench];
    const result = await runScenario({ ...load, channels, processes });
    // Before the workers stop: their counters go with them.
    const unread = (error: unknown) => void say(`the workers' metrics could not be read: ${String(error)}`);
    const actors = await workers?.finish().catch(unread);
    return { ...result, actors: actors ?? undefined };
  } finally {
    await target.stop();
    running.delete(target.stop);
  }
}

/** Each pipeline's turns/s over the baseline's at the same number of chats. */
function pipelineToBaseline(scenarios: MeasuredScenario[]): Record<string, number> {
  const ratios: Record<string, number> = {};
  for (const pipeline of scenarios.filter((s) => s.workers && s.turns && !s.rate)) {
    const baseline = scenarios.find((s) => s.name === `baseline ${pipeline.chats}c`)?.turns?.turnsPerSecond;
    if (baseline) ratios[pipeline.name] = round(pipeline.turns!.turnsPerSecond / baseline, 2);
  }
  return ratios;
}

async function main(options: BenchOptions): Promise<BenchResults> {
  const infra = await startBenchInfra(say);
  running.add(infra.stop);
  say(`nats ${infra.natsUrl}, store ${infra.storeEngine} at ${infra.mongoUrl}`);
  const script = BENCH_SCRIPTS[options.script];
  const { snapshot } = await runScriptInProcess(script);
  const expected: ExpectedReplies = {
    viber: await expectedOn(BENCH_CHANNELS.viber, script),
    telegram: await expectedOn(BENCH_CHANNELS.telegram, script),
  };
  const results: BenchResults = {
    startedAt: new Date().toISOString(),
    machine: describeMachine(),
    storeEngine: infra.storeEngine,
    options: { ...options },
    scenarios: [],
  };
  const loadOf = (chats: number, rate = options.rate, channels = VIBER_ONLY) => ({
    chats,
    channels,
    expected,
    script,
    concurrency: options.concurrency,
    rate,
  });
  const withStore = async (
    name: string,
    chats: number,
    start: (mongoDb: string) => Promise<RunningTarget>,
    { workers, rate, channels }: { workers?: number; rate?: number; channels?: readonly Channel[] } = {},
  ) => {
    const mongoDb = databaseFor(name);
    await emptyBus(infra.natsUrl);
    const target = await start(mongoDb);
    const result = await measure(target, infra, { ...loadOf(chats, rate, channels), name });
    results.scenarios.push({
      ...result,
      chats,
      workers,
      storeSize: await storeSizePerChat(infra, mongoDb, chats),
    });
  };
  const largest = Math.max(...options.chats);
  const stores = { natsUrl: infra.natsUrl, mongoUrl: infra.mongoUrl };
  try {
    if (!options.skipCeilings) {
      say('ceiling: fastify answering 200 with nothing behind it');
      results.scenarios.push(
        await measure(await startEmptyWebhook(), infra, { ...loadOf(largest), name: 'empty webhook' }),
      );
      say(`ceiling: JetStream publish and consume, ${options.jetstreamMessages} messages`);
      await emptyBus(infra.natsUrl);
      const natsServer = infra.processes.find((server) => server.name === 'nats-server');
      results.jetstream = await measureJetStream(infra.natsUrl, options.jetstreamMessages, natsServer);
      say('ceiling: what each store operation of a turn costs');
      // As many documents as the largest scenario leaves behind: a head and a version per line, per chat.
      const documents = largest * (script.length + 1);
      const storeDb = databaseFor('store ops');
      results.storeCosts = await measureStoreCosts(infra.mongoUrl, storeDb, snapshot, documents, options.partitions);
    }
    const profileDir = options.profile ? mkdtempSync(join(tmpdir(), 'energobot-bench-profile-')) : undefined;
    const mixedChats = options.skipMixed ? [] : options.mixedChats;
    for (const chats of new Set([...options.chats, ...mixedChats])) {
      const viberRows = options.chats.includes(chats);
      if (viberRows && !options.skipBaseline) {
        say(`baseline: the whole bot in one process, no bus; ${chats} chats`);
        await withStore(`baseline ${chats}c`, chats, (mongoDb) =>
          startBaseline({ ...stores, mongoDb }, options.partitions),
        );
      }
      for (const workers of viberRows && !options.skipPipeline ? options.workers : []) {
        say(
          `pipeline: ingress → JetStream → ${workers} worker(s) → outbound, ` +
            `${options.partitions} partitions; ${chats} chats`,
        );
        // Profiles of the last scenario only: one profile set, of the busiest configuration.
        const last = workers === options.workers.at(-1) && chats === options.chats.at(-1);
        const pipeline = { workers, partitions: options.partitions, profileDir: last ? profileDir : undefined };
        await withStore(
          `pipeline ${workers}w ${chats}c`,
          chats,
          (mongoDb) => startPipeline({ ...stores, mongoDb }, pipeline),
          { workers },
        );
      }
      for (const workers of mixedChats.includes(chats) ? options.mixedWorkers : []) {
        say(`pipeline, half the chats on Telegram and half on Viber: ${workers} worker(s); ${chats} chats`);
        const pipeline = { workers, partitions: options.partitions, telegram: true };
        await withStore(
          `pipeline ${workers}w ${chats}c half Telegram`,
          chats,
          (mongoDb) => startPipeline({ ...stores, mongoDb }, pipeline),
          { workers, channels: HALF_TELEGRAM },
        );
      }
    }
    // At the most chats: a paced run of 1,000 chats lasts ~20 s, and its p99 is the warm-up's.
    const flatOut = results.scenarios.find(
      (s) => s.workers === options.workers[0] && s.chats === largest && !isMixed(s),
    );
    const saturation = flatOut?.turns?.turnsPerSecond;
    if (options.rate === undefined && saturation) {
      // Latency is only meaningful below saturation: the same pipeline again at half the turns/s it reached.
      const [workers, chats, rate] = [flatOut.workers!, flatOut.chats!, Math.max(1, Math.round(saturation / 2))];
      say(`pipeline at half of saturation: ${workers} worker(s), ${chats} chats, ${rate} webhooks/s`);
      const pipeline = { workers, partitions: options.partitions };
      await withStore(
        `pipeline ${workers}w ${chats}c at ${rate}/s`,
        chats,
        (mongoDb) => startPipeline({ ...stores, mongoDb }, pipeline),
        { workers, rate },
      );
    }
    results.pipelineToBaseline = pipelineToBaseline(results.scenarios);
    if (profileDir && !options.skipPipeline) {
      results.profile = {};
      for (const [service, profiles] of readProfiles(profileDir)) {
        const files = `${profiles.length} profile(s) in ${profileDir}`;
        results.profile[service] = {
          idlePercent: idlePercent(profiles),
          hotFunctions: hotFunctions(profiles),
          hotPlaces: hotPlaces(profiles),
          files,
        };
      }
    }
    results.machine.loadAverageAtEnd = loadavg().map((load) => round(load, 2));
    return results;
  } finally {
    await infra.stop();
  }
}

const results = await main(options);
mkdirSync(options.outDir, { recursive: true });
const file = join(options.outDir, `${stamp}.json`);
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\n${formatResults(results)}\n`);
say(`results written to ${file}`);
