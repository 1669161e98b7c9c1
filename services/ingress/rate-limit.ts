import { dropOldest, touch } from '../../shared/ops/bounded-map.js';

/** How many events one chat may put on the bus: a burst, then a steady rate. */
export interface RateLimit {
  /** Events a chat may send at once (the bucket's size). */
  burst: number;
  /** Events per second the bucket refills with. */
  perSecond: number;
  /** Chats whose buckets are kept; past it the least recently seen chat's bucket is dropped. */
  maxChats: number;
}

export const DEFAULT_RATE_LIMIT: RateLimit = { burst: 20, perSecond: 1, maxChats: 100_000 };

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per chat, in this process's memory: each ingress process limits what passes
 * through it, which is enough to keep one customer (or one runaway client) from flooding the
 * workers. The buckets are a Map kept in order of use, so a flood of new chat ids costs at most
 * `maxChats` buckets; a chat whose bucket was dropped starts again with a full one.
 */
export class ChatRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit = DEFAULT_RATE_LIMIT,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one event's token from the chat's bucket; false when the bucket is empty. */
  tryTake(chatId: string): boolean {
    const bucket = this.refilled(chatId);
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    return allowed;
  }

  /** Gives back a token taken for an event that made no work after all (a duplicate, a failed publish). */
  refund(chatId: string): void {
    const bucket = this.refilled(chatId);
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + 1);
  }

  get chats(): number {
    return this.buckets.size;
  }

  /** The chat's bucket, refilled for the time since it was last used, and moved to the recent end. */
  private refilled(chatId: string): Bucket {
    const now = this.now();
    const known = this.buckets.get(chatId);
    // A clock that steps back refills nothing rather than draining the bucket.
    const elapsedMs = known ? Math.max(0, now - known.at) : 0;
    const bucket = {
      tokens: known
        ? Math.min(this.limit.burst, known.tokens + (elapsedMs / 1000) * this.limit.perSecond)
        : this.limit.burst,
      at: now,
    };
    touch(this.buckets, chatId, bucket);
    dropOldest(this.buckets, this.limit.maxChats);
    return bucket;
  }
}
