import { randomBytes } from 'node:crypto';
import { analyseTurns, type TurnFigures } from './analyse.js';
import { runLoad, type LoadProgress } from './load.js';
import { startMachineCpu, type MachineCpu } from './machine-cpu.js';
import { ProcessSampler, type ProcessFigures, type WatchedProcess } from './proc-sampler.js';
import { startProgressLine } from './progress.js';
import { ReplyCollector } from './replies.js';
import { percentiles, round, steadyRate, type Percentiles } from './stats.js';

export interface WebhookFigures {
  posts: number;
  /** Webhooks answered 200 per second, over the whole load. */
  answeredPerSecond: number;
  /** Milliseconds from a post to its 200. */
  answerMs: Percentiles | null;
  /** Non-200 answers (each retried). */
  errors: number;
  statuses: Record<string, number>;
}

export interface ScenarioResult {
  name: string;
  webhook: WebhookFigures;
  /** Absent for the empty webhook, which sends nothing to Viber. */
  turns?: TurnFigures;
  processes: ProcessFigures[];
  /** The whole machine over the scenario: how busy, and how much the hypervisor took away. */
  machineCpu: MachineCpu | null;
  wallSeconds: number;
}

export interface ScenarioPlan {
  name: string;
  webhookUrl: string;
  authToken: string;
  chats: number;
  script: readonly string[];
  concurrency: number;
  rate?: number;
  /** Where the replies arrive, with what each line must make the bot say; absent for the empty webhook. */
  replies?: { fakeViberUrl: string; expectedPerLine: string[][] };
  processes: WatchedProcess[];
}

/** How long the benchmark waits for the next reply before it counts the rest as missing. */
const QUIET_MS = 30_000;

/** Random ids of Viber's length, so that chats spread over the partitions as real ones do. */
const newChatIds = (count: number) => Array.from({ length: count }, () => randomBytes(16).toString('base64'));

/**
 * Runs one scenario: posts every chat's script to the webhook and, where there is a bot behind it,
 * follows the replies at the fake Viber API until all came, sampling the processes meanwhile.
 */
export async function runScenario(plan: ScenarioPlan): Promise<ScenarioResult> {
  const chatIds = newChatIds(plan.chats);
  const expectedTotal = plan.replies ? plan.chats * plan.replies.expectedPerLine.flat().length : 0;
  const collector = plan.replies && new ReplyCollector(plan.replies.fakeViberUrl);
  const progress: LoadProgress = { answered: 0, errors: 0 };
  const posts = plan.chats * plan.script.length;
  const started = Date.now();
  const line = startProgressLine(() => {
    const seconds = (Date.now() - started) / 1000;
    const replies = collector ? `  replies ${collector.count}/${expectedTotal}` : '';
    return (
      `  ${plan.name}: ${seconds.toFixed(0)} s  webhooks ${progress.answered}/${posts} ` +
      `(${(progress.answered / Math.max(seconds, 0.001)).toFixed(0)}/s, ${progress.errors} errors)${replies}`
    );
  });
  const sampler = new ProcessSampler(plan.processes);
  sampler.start();
  const machineCpu = startMachineCpu();
  let load;
  try {
    const polling = collector && pollWhileLoading(collector);
    load = await runLoad(
      {
        webhookUrl: plan.webhookUrl,
        authToken: plan.authToken,
        chatIds,
        script: plan.script,
        concurrency: plan.concurrency,
        rate: plan.rate,
      },
      progress,
    );
    await polling?.stop();
    await collector?.waitFor(expectedTotal, QUIET_MS, () => {});
  } finally {
    line.stop();
  }
  const processes = sampler.stop();
  const machine = machineCpu();
  const answerTimes = load.postedAt.flat();
  return {
    name: plan.name,
    webhook: {
      posts,
      answeredPerSecond: round(steadyRate(answerTimes)),
      answerMs: percentiles(load.answerMs),
      errors: load.errors,
      statuses: load.statuses,
    },
    turns: collector && analyseTurns(chatIds, load.postedAt, plan.replies!.expectedPerLine, collector.byChat),
    processes,
    machineCpu: machine,
    wallSeconds: round((Date.now() - started) / 1000),
  };
}

/** Polls the fake Viber API once a second while the load runs, so the progress line shows replies. */
function pollWhileLoading(collector: ReplyCollector) {
  let running = true;
  const loop = (async () => {
    while (running) {
      await collector.poll().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}
