import type { ChatRecord, ChatStore } from './chat-store.js';

/**
 * Keeps the latest record of the busiest chats in memory (least recently used out first), so a hot
 * chat's turn does not read the store. A cached record can be stale when another worker took one of
 * the chat's events; the save is then refused by the version check, the entry dropped, and the turn
 * run again on a fresh read. So the cache saves reads, never correctness.
 */
export class CachedChatStore implements ChatStore {
  private readonly entries = new Map<string, ChatRecord>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly store: ChatStore,
    private readonly capacity: number,
  ) {}

  get size() {
    return this.entries.size;
  }

  async load(chatId: string, options: { verify?: boolean } = {}): Promise<ChatRecord | null> {
    const cached = options.verify ? undefined : this.entries.get(chatId);
    if (cached) {
      this.hits++;
      // Re-insert: a Map iterates in insertion order, so the first key is the least recently used.
      this.entries.delete(chatId);
      this.entries.set(chatId, cached);
      return cached;
    }
    this.misses++;
    return this.store.load(chatId, options);
  }

  async save(record: ChatRecord, expectedVersion: number): Promise<boolean> {
    const saved = await this.store.save(record, expectedVersion);
    this.entries.delete(record.chatId);
    if (saved) {
      this.entries.set(record.chatId, record);
      if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    }
    return saved;
  }

  /** After a failed turn the cached record may be ahead of or behind the store: read it again next time. */
  forget(chatId: string): void {
    this.entries.delete(chatId);
  }
}
