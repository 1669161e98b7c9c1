import type { ReceivedMessage } from './replies.js';
import { percentiles, round, steadyRate, steadyWindow, type Percentiles } from './stats.js';

export interface TurnFigures {
  turns: number;
  /** Turns whose last reply arrived, per second, over the steady window. */
  turnsPerSecond: number;
  repliesPerSecond: number;
  /** From the webhook's post to the arrival of the turn's last reply (or Bot API call) at its fake. */
  latencyMs: Percentiles | null;
  /**
   * The latency's p99 and max over each LATENCY_WINDOW_S of the load (by the post's time): a slow
   * tail all through says "busy", one in a few windows says "stalls" (GC, a checkpoint, the host).
   */
  latencyByWindow: { fromS: number; turns: number; p99: number; max: number }[];
  /**
   * The latency of the turns posted in the steady window (between the 10th and 90th percentile of
   * the posts' times), as turns/s leaves out the ramp-up and the drain: the first seconds of a run
   * carry every process's warm-up (JIT, connection pools, the store's caches).
   */
  steadyLatencyMs: Percentiles | null;
  missing: number;
  duplicates: number;
  /** Chats whose replies came in another order than the script's. */
  outOfOrderChats: number;
}

/** A chat of the load, with what the script makes the bot send it per line, on its channel. */
export interface ExpectedChat {
  chatId: string;
  expectedPerLine: string[][];
}

/** The expectations flattened, and the index in them of each line's last message. */
function expectationsOf(expectedPerLine: string[][]) {
  const expected = expectedPerLine.flat();
  const lastReplyIndex = expectedPerLine.map((_, line) => expectedPerLine.slice(0, line + 1).flat().length - 1);
  return { expected, lastReplyIndex };
}

/**
 * Matches each chat's received messages against what the script makes the bot say on its channel:
 * the k-th message of a chat must be the k-th expected one, so a reply that came twice or overtook
 * another shows up as a mismatch. A turn is done when its last reply arrived.
 */
export function analyseTurns(
  chats: ExpectedChat[],
  postedAt: number[][],
  byChat: Map<string, ReceivedMessage[]>,
): TurnFigures {
  // Chats of one channel share their expectations: worked out once each.
  const known = new Map<string[][], ReturnType<typeof expectationsOf>>();
  const expectationsFor = (perLine: string[][]) => {
    const found = known.get(perLine) ?? expectationsOf(perLine);
    known.set(perLine, found);
    return found;
  };
  const latencies: number[] = [];
  const postTimes: number[] = [];
  const turnDoneAt: number[] = [];
  const replyAt: number[] = [];
  let missing = 0;
  let duplicates = 0;
  let outOfOrderChats = 0;

  chats.forEach(({ chatId, expectedPerLine }, chat) => {
    const { expected, lastReplyIndex } = expectationsFor(expectedPerLine);
    const received = byChat.get(chatId) ?? [];
    for (const message of received) replyAt.push(message.at);
    missing += Math.max(0, expected.length - received.length);
    const extra = Math.max(0, received.length - expected.length);
    duplicates += extra;
    // Extra messages are counted once as duplicates; the order check looks at the shared prefix.
    if (received.some((message, index) => index < expected.length && message.fingerprint !== expected[index]))
      outOfOrderChats++;
    lastReplyIndex.forEach((index, line) => {
      const done = received[index];
      if (!done || index < 0) return;
      turnDoneAt.push(done.at);
      latencies.push(done.at - postedAt[chat]![line]!);
      postTimes.push(postedAt[chat]![line]!);
    });
  });
  return {
    turns: turnDoneAt.length,
    turnsPerSecond: round(steadyRate(turnDoneAt)),
    repliesPerSecond: round(steadyRate(replyAt)),
    latencyMs: percentiles(latencies),
    latencyByWindow: byWindow(postTimes, latencies),
    steadyLatencyMs: steadyLatency(postTimes, latencies),
    missing,
    duplicates,
    outOfOrderChats,
  };
}

const LATENCY_WINDOW_S = 10;

function byWindow(postTimes: number[], latencies: number[]): TurnFigures['latencyByWindow'] {
  if (postTimes.length === 0) return [];
  const start = Math.min(...postTimes);
  const windows = new Map<number, number[]>();
  postTimes.forEach((at, index) => {
    const window = Math.floor((at - start) / 1000 / LATENCY_WINDOW_S);
    const samples = windows.get(window) ?? [];
    samples.push(latencies[index]!);
    windows.set(window, samples);
  });
  return [...windows.entries()]
    .sort(([a], [b]) => a - b)
    .map(([window, samples]) => {
      const figures = percentiles(samples)!;
      return { fromS: window * LATENCY_WINDOW_S, turns: samples.length, p99: figures.p99, max: figures.max };
    });
}

function steadyLatency(postTimes: number[], latencies: number[]): Percentiles | null {
  const window = steadyWindow(postTimes);
  if (!window) return null;
  return percentiles(
    latencies.filter((_, index) => postTimes[index]! >= window.from && postTimes[index]! <= window.to),
  );
}
