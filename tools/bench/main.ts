import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hotFunctions, hotPlaces, idlePercent, readProfiles } from './cpu-profile.js';
import { emptyBus, startBenchInfra, storeSizePerChat, type BenchInfra } from './infra.js';
import { measureJetStream } from './jetstream-ceiling.js';
import { readBenchOptions, type BenchOptions } from './options.js';
import { describeMachine, formatResults, type BenchResults, type MeasuredScenario } from './report.js';
import { runScenario, type ScenarioPlan } from './scenario.js';
import { BENCH_SCRIPTS, runScriptInProcess } from './script.js';
import { measureStoreCosts } from './store-costs.js';
import { BENCH_AUTH_TOKEN, startBaseline, startEmptyWebhook, startPipeline, type RunningTarget } from './stacks.js';
import { round } from './stats.js';
import { watchWorkers } from './worker-metrics.js';

/**
 * `npm run bench`: the pipeline with 1, 2 and 4 workers, the same bot in one process without the
 * bus, and the raw ceilings of fastify and JetStream, on throwaway servers. See docs/benchmark.md.
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

/**
 * Runs the load against a started target, then stops it whatever happened. Where there are workers,
 * the load waits until they have spread the partitions, and their metrics are read before they stop.
 */
async function measure(
  target: Omit<RunningTarget, 'fakeViberUrl'>,
  infra: BenchInfra,
  plan: Omit<ScenarioPlan, 'webhookUrl' | 'processes' | 'authToken'>,
): Promise<MeasuredScenario> {
  running.add(target.stop);
  try {
    const urls = target.workerMetricsUrls;
    const linesPerChat = plan.script.length;
    const workers = urls && (await watchWorkers(urls, { partitions: options.partitions, linesPerChat }));
    if (workers) say(`partitions spread after ${workers.balancedAfterMs ?? 'more than 30 000'} ms`);
    const bench = { name: 'bench (load generator)', pid: process.pid };
    const processes = [...target.processes, ...infra.processes, bench];
    const { webhookUrl } = target;
    const result = await runScenario({ ...plan, webhookUrl, authToken: BENCH_AUTH_TOKEN, processes });
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
  const { expectedPerLine, snapshot } = await runScriptInProcess(script);
  const results: BenchResults = {
    startedAt: new Date().toISOString(),
    machine: describeMachine(),
    storeEngine: infra.storeEngine,
    options: { ...options },
    scenarios: [],
  };
  const loadOf = (chats: number, rate = options.rate) => ({ chats, script, concurrency: options.concurrency, rate });
  const withStore = async (
    name: string,
    chats: number,
    start: (mongoDb: string) => Promise<RunningTarget>,
    workers?: number,
    rate?: number,
  ) => {
    const mongoDb = databaseFor(name);
    await emptyBus(infra.natsUrl);
    const target = await start(mongoDb);
    const result = await measure(target, infra, {
      ...loadOf(chats, rate),
      name,
      replies: { fakeViberUrl: target.fakeViberUrl, expectedPerLine },
    });
    results.scenarios.push({
      ...result,
      chats,
      workers,
      rate,
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
      results.jetstream = await measureJetStream(infra.natsUrl, options.jetstreamMessages);
      say('ceiling: what each store operation of a turn costs');
      // As many documents as the largest scenario leaves behind: a head and a version per line, per chat.
      const documents = largest * (script.length + 1);
      const storeDb = databaseFor('store ops');
      results.storeCosts = await measureStoreCosts(infra.mongoUrl, storeDb, snapshot, documents, options.partitions);
    }
    const profileDir = options.profile ? mkdtempSync(join(tmpdir(), 'energobot-bench-profile-')) : undefined;
    for (const chats of options.chats) {
      if (!options.skipBaseline) {
        say(`baseline: the whole bot in one process, no bus; ${chats} chats`);
        await withStore(`baseline ${chats}c`, chats, (mongoDb) =>
          startBaseline({ ...stores, mongoDb }, options.partitions),
        );
      }
      if (options.skipPipeline) continue;
      for (const workers of options.workers) {
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
          workers,
        );
      }
    }
    const flatOut = results.scenarios.find((s) => s.workers === options.workers[0] && s.chats === options.chats[0]);
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
        workers,
        rate,
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
