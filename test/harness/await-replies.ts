/**
 * What a customer's phone shows of the bot's answers: the messages recorded at a fake messenger
 * API for one chat, read as they arrive. `replies()` waits for at least one new message, then until
 * none has come for `quietMs`, and returns the new ones.
 */
export function replyReader<T>(list: () => Promise<T[]>, chat: string) {
  let seen = 0;
  return async function replies(timeoutMs = 15_000, quietMs = 400): Promise<T[]> {
    const deadline = Date.now() + timeoutMs;
    let last = -1;
    let stableSince = Date.now();
    for (;;) {
      const all = await list();
      if (all.length !== last) {
        last = all.length;
        stableSince = Date.now();
      }
      if (all.length > seen && Date.now() - stableSince >= quietMs) {
        const fresh = all.slice(seen);
        seen = all.length;
        return fresh;
      }
      if (Date.now() > deadline) throw new Error(`no reply to ${chat} within ${timeoutMs} ms (seen ${seen})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
}
