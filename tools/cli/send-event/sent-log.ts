/**
 * What the bot sent one chat, as a fake messenger API records it (`GET /_fake/messages?<chat>&after=`):
 * the last number before an event, then what came after it. Replies go through NATS, the worker and
 * outbound, so they take a moment; a turn may send several.
 */

export interface Sent {
  seq: number;
}

/** How long to wait for replies, and how long after the first to wait for more. */
const WAIT_MS = 3_000;
const MORE_MS = 1_000;
const POLL_MS = 200;

export function sentLog<T extends Sent>(messagesUrl: string) {
  const read = async (after: number) => {
    const response = await fetch(`${messagesUrl}&after=${after}`);
    if (!response.ok) throw new Error(`the fake answered ${response.status}`);
    return (await response.json()) as T[];
  };

  return {
    /** The last seq sent to the chat so far; undefined when no fake is there (a real messenger). */
    async mark(): Promise<number | undefined> {
      try {
        return (await read(0)).reduce((last, sent) => Math.max(last, sent.seq), 0);
      } catch {
        return undefined;
      }
    },
    /** What was sent after `mark`: waits up to 3 s, and a second more once something came. */
    async since(mark: number): Promise<T[]> {
      const start = Date.now();
      let fresh: T[] = [];
      while (Date.now() - start < WAIT_MS) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        fresh = await read(mark);
        if (fresh.length > 0 && Date.now() - start > MORE_MS) break;
      }
      return fresh;
    },
  };
}

export const WAIT_SECONDS = WAIT_MS / 1_000;
