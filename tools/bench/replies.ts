import type { SentMessage } from '../../fakes/viber/app.js';
import { fingerprint } from './script.js';

/** What the fake Viber API received for one chat, in the order it received it. */
export interface ReceivedMessage {
  at: number;
  fingerprint: string;
}

/**
 * Follows the fake Viber API's record as it grows (only messages after the last one seen), so the
 * benchmark sees replies while they arrive without refetching everything.
 */
export class ReplyCollector {
  readonly byChat = new Map<string, ReceivedMessage[]>();
  count = 0;
  private lastSeq = 0;

  constructor(private readonly fakeViberUrl: string) {}

  async poll(): Promise<void> {
    const response = await fetch(`${this.fakeViberUrl}/_fake/messages?after=${this.lastSeq}`);
    const messages = (await response.json()) as SentMessage[];
    for (const message of messages) {
      this.lastSeq = Math.max(this.lastSeq, message.seq);
      const list = this.byChat.get(message.receiver) ?? [];
      if (list.length === 0) this.byChat.set(message.receiver, list);
      list.push({ at: message.at, fingerprint: fingerprint(message.body) });
      this.count++;
    }
  }

  /**
   * Polls until `expected` messages came, or until nothing new came for `quietMs` (some are lost
   * or late: the analysis reports them). A little longer after the last, so late duplicates show.
   */
  async waitFor(expected: number, quietMs: number, onPoll: () => void): Promise<void> {
    let lastGrowth = Date.now();
    while (this.count < expected && Date.now() - lastGrowth < quietMs) {
      const before = this.count;
      await this.poll();
      if (this.count > before) lastGrowth = Date.now();
      onPoll();
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    await this.poll();
  }
}
