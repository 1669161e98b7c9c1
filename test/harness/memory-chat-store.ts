import type { ChatRecord, ChatStore } from '../../services/worker/index.js';

/** A record as a real store hands it out: a copy through JSON, sharing nothing with the caller. */
const copy = (record: ChatRecord): ChatRecord => JSON.parse(JSON.stringify(record)) as ChatRecord;

/**
 * A ChatStore in memory with the real store's rules: every version kept (insert-only), a save
 * refused unless it builds on the latest version, and records copied through JSON both ways so
 * that a snapshot which would not survive serialisation fails here too.
 */
export class MemoryChatStore implements ChatStore {
  private readonly versions = new Map<string, ChatRecord[]>();

  async load(chatId: string): Promise<ChatRecord | null> {
    return this.latest(chatId);
  }

  async save(record: ChatRecord, expectedVersion: number): Promise<boolean> {
    if (record.version !== expectedVersion + 1) throw new Error('a save must raise the version by one');
    const saved = this.versions.get(record.chatId) ?? [];
    if ((saved.at(-1)?.version ?? 0) !== expectedVersion) return false;
    saved.push(copy(record));
    this.versions.set(record.chatId, saved);
    return true;
  }

  /** The latest record at once, for a test's synchronous look at the state. */
  latest(chatId: string): ChatRecord | null {
    const latest = this.versions.get(chatId)?.at(-1);
    return latest ? copy(latest) : null;
  }

  /** A store holding what this one holds, going its own way from now on (a branch of a test's path). */
  fork(): MemoryChatStore {
    const fork = new MemoryChatStore();
    for (const [chatId, versions] of this.versions) fork.versions.set(chatId, versions.map(copy));
    return fork;
  }

  /** Every saved version of the chat, oldest first. */
  history(chatId: string): ChatRecord[] {
    return (this.versions.get(chatId) ?? []).map(copy);
  }
}
