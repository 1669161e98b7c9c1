import { analyseTurns, type TurnFigures } from './analyse.js';
import type { ChannelPlan } from './channels.js';
import { runLoad, type LoadChat, type LoadProgress } from './load.js';
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
  /** How many of the chats were on each channel. */
  chatsByChannel: Record<string, number>;
  webhook: WebhookFigures;
  /** Absent for the empty webhook, which sends nothing to a messenger. */
  turns?: TurnFigures;
  processes: ProcessFigures[];
  /** The whole machine over the scenario: how busy, and how much the hypervisor took away. */
  machineCpu: MachineCpu | null;
  wallSeconds: number;
  /** Webhooks per second the load was paced at; absent when flat out. */
  rate?: number;
}

export interface ScenarioPlan {
  name: string;
  chats: number;
  /** The channels the chats are on, in turn: chat i is on `channels[i % channels.length]`. */
  channels: ChannelPlan[];
  script: readonly string[];
  concurrency: number;
  rate?: number;
  processes: WatchedProcess[];
}

/** How long the benchmark waits for the next reply before it counts the rest as missing. */
const QUIET_MS = 30_000;

/** The scenario's chats, each channel's taking turns, so that every channel is under load all along. */
function chatsOf(plan: ScenarioPlan): LoadChat[] {
  const { channels, chats } = plan;
  const n = channels.length;
  const ids = channels.map((on, index) => on.channel.newChatIds(Math.ceil((chats - index) / n)));
  return Array.from({ length: chats }, (_, chat) => ({
    chatId: ids[chat % n]![Math.floor(chat / n)]!,
    on: channels[chat % n]!,
  }));
}

/**
 * Runs one scenario: posts every chat's script to its channel's webhook and, where there is a bot
 * behind it, follows the replies at each channel's fake API until all came, sampling the processes
 * meanwhile.
 */
export async function runScenario(plan: ScenarioPlan): Promise<ScenarioResult> {
  const chats = chatsOf(plan);
  const expectedOf = (on: ChannelPlan) => on.replies?.expectedPerLine ?? [];
  const expectedTotal = chats.reduce((sum, { on }) => sum + expectedOf(on).flat().length, 0);
  const sources = plan.channels.flatMap(({ channel, replies }) =>
    replies ? [{ channel, fakeUrl: replies.fakeUrl }] : [],
  );
  const collector = sources.length > 0 ? new ReplyCollector(sources) : undefined;
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
    load = await runLoad({ chats, script: plan.script, concurrency: plan.concurrency, rate: plan.rate }, progress);
    await polling?.stop();
    await collector?.waitFor(expectedTotal, QUIET_MS, () => {});
  } finally {
    line.stop();
  }
  const processes = sampler.stop();
  const machine = machineCpu();
  const answerTimes = load.postedAt.flat();
  const chatsByChannel: Record<string, number> = {};
  for (const { on } of chats) chatsByChannel[on.channel.name] = (chatsByChannel[on.channel.name] ?? 0) + 1;
  const expectedChats = chats.map(({ chatId, on }) => ({ chatId, expectedPerLine: expectedOf(on) }));
  return {
    name: plan.name,
    ...(plan.rate === undefined ? {} : { rate: plan.rate }),
    chatsByChannel,
    webhook: {
      posts,
      answeredPerSecond: round(steadyRate(answerTimes)),
      answerMs: percentiles(load.answerMs),
      errors: load.errors,
      statuses: load.statuses,
    },
    turns: collector && analyseTurns(expectedChats, load.postedAt, collector.byChat),
    processes,
    machineCpu: machine,
    wallSeconds: round((Date.now() - started) / 1000),
  };
}

/** Polls the fake APIs once a second while the load runs, so the progress line shows replies. */
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
