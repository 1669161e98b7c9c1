import type { BenchChannel, FakeEntry } from './channels.js';

/** What a fake messenger API received for one chat, in the order it received it. */
export interface ReceivedMessage {
  at: number;
  fingerprint: string;
}

/** A fake messenger API to follow, and the channel whose record it keeps. */
export interface ReplySource {
  channel: BenchChannel;
  fakeUrl: string;
}

/**
 * Follows the record of each fake messenger API as it grows (only entries after the last one seen
 * at that fake), so the benchmark sees replies while they arrive without refetching everything.
 * Every chat is on one channel, so its entries come from one fake, in the order that fake got them.
 */
export class ReplyCollector {
  readonly byChat = new Map<string, ReceivedMessage[]>();
  count = 0;
  private readonly lastSeq = new Map<ReplySource, number>();

  constructor(private readonly sources: ReplySource[]) {}

  async poll(): Promise<void> {
    await Promise.all(this.sources.map((source) => this.pollOne(source)));
  }

  private async pollOne(source: ReplySource): Promise<void> {
    const after = this.lastSeq.get(source) ?? 0;
    const response = await fetch(`${source.fakeUrl}/_fake/messages?after=${after}`);
    const entries = (await response.json()) as FakeEntry[];
    for (const entry of entries) {
      this.lastSeq.set(source, Math.max(this.lastSeq.get(source) ?? 0, entry.seq));
      const { chatId, fingerprint } = source.channel.received(entry);
      const list = this.byChat.get(chatId) ?? [];
      if (list.length === 0) this.byChat.set(chatId, list);
      list.push({ at: entry.at, fingerprint });
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
