import { Agent, request } from 'node:http';
import type { ChannelPlan, PreparedPost } from './channels.js';

/** A chat of the load, and the channel it is on. */
export interface LoadChat {
  chatId: string;
  on: Pick<ChannelPlan, 'channel' | 'webhookUrl' | 'secret'>;
}

export interface LoadPlan {
  chats: LoadChat[];
  script: readonly string[];
  concurrency: number;
  /** Webhooks per second over all chats; undefined: as fast as the concurrency allows. */
  rate?: number;
}

export interface LoadResult {
  /** Per chat, per line: when the first attempt was posted (ms since the epoch, the fake's clock too). */
  postedAt: number[][];
  /** Milliseconds from the post to its 200, per webhook. */
  answerMs: number[];
  /** Answers other than 200 (each retried, as the messengers do). */
  errors: number;
  statuses: Record<string, number>;
  startedAt: number;
  endedAt: number;
}

export interface LoadProgress {
  answered: number;
  errors: number;
}

const RETRY_PAUSE_MS = 100;
const MAX_ATTEMPTS = 100;

function post(agent: Agent, url: URL, prepared: PreparedPost): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': prepared.body.length,
          ...prepared.headers,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    // A refused or reset connection counts as an error answer, like Viber's view of it.
    req.on('error', () => resolve(0));
    req.end(prepared.body);
  });
}

/**
 * Posts every chat's script as its messenger would: a chat's next line only after its previous one
 * got 200, a non-200 answer posted again after a pause (Viber and Telegram both resend). At most
 * `concurrency` chats are in progress, and with a rate the posts are spaced evenly over all chats.
 */
export async function runLoad(plan: LoadPlan, progress: LoadProgress): Promise<LoadResult> {
  // One keep-alive pool: every channel's webhook is on the same ingress.
  const agent = new Agent({ keepAlive: true, maxSockets: plan.concurrency });
  const prepared = plan.chats.map(({ chatId, on }) => ({
    url: new URL(on.webhookUrl),
    posts: plan.script.map((line) => on.channel.prepare(chatId, line, on.secret)),
  }));
  const postedAt = plan.chats.map(() => [] as number[]);
  const answerMs: number[] = [];
  const statuses: Record<string, number> = {};
  const spacingMs = plan.rate ? 1000 / plan.rate : 0;
  let nextSlot = Date.now();
  let nextChat = 0;

  const paced = async () => {
    if (!spacingMs) return;
    const now = Date.now();
    const slot = Math.max(now, nextSlot);
    nextSlot = slot + spacingMs;
    if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
  };

  const runChat = async (chat: number) => {
    const { url, posts } = prepared[chat]!;
    for (const [line, webhook] of posts.entries()) {
      await paced();
      postedAt[chat]![line] = Date.now();
      for (let attempt = 1; ; attempt++) {
        const started = performance.now();
        const status = await post(agent, url, webhook);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === 200) {
          answerMs.push(performance.now() - started);
          break;
        }
        progress.errors++;
        if (attempt >= MAX_ATTEMPTS) throw new Error(`the webhook kept answering ${status}`);
        await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
      }
      progress.answered++;
    }
  };

  const startedAt = Date.now();
  try {
    await Promise.all(
      Array.from({ length: Math.min(plan.concurrency, plan.chats.length) }, async () => {
        while (nextChat < plan.chats.length) await runChat(nextChat++);
      }),
    );
  } finally {
    agent.destroy();
  }
  return { postedAt, answerMs, errors: progress.errors, statuses, startedAt, endedAt: Date.now() };
}
