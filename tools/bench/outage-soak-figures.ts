/** What the outage soak measures per chat, from what the fake Viber API received. */

export interface ChatFigures {
  /** Messages beyond what the script asks for (a send that reached Viber but was not recorded). */
  duplicates: number;
  missing: number;
  /** Messages that came, once, but not in the script's order. */
  outOfOrder: number;
}

const counts = (items: readonly string[]) => {
  const map = new Map<string, number>();
  for (const item of items) map.set(item, (map.get(item) ?? 0) + 1);
  return map;
};

/** Longest common subsequence: how many messages came in the script's order. */
function lcs(a: readonly string[], b: readonly string[]): number {
  const row = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    let diagonal = 0;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = x === b[j - 1] ? diagonal + 1 : Math.max(row[j]!, row[j - 1]!);
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/**
 * Compares what a chat received with what its script asks for. A script says some things twice
 * (the menu), so a duplicate is told from a swap by alignment, not by position: the messages that
 * came as often as asked are `matched`, and those of them outside the longest common subsequence
 * with the script came out of order.
 */
export function chatFigures(expected: readonly string[], received: readonly string[]): ChatFigures {
  const got = counts(received);
  let matched = 0;
  for (const [item, times] of counts(expected)) matched += Math.min(times, got.get(item) ?? 0);
  const inOrder = lcs(received, expected);
  return { duplicates: received.length - matched, missing: expected.length - matched, outOfOrder: matched - inOrder };
}

export interface SoakFigures {
  chats: number;
  repliesExpected: number;
  repliesReceived: number;
  duplicates: number;
  missing: number;
  outOfOrder: number;
  chatsExactlyRight: number;
}

export function soakFigures(expected: readonly string[], byChat: Map<string, string[]>): SoakFigures {
  const figures: SoakFigures = {
    chats: byChat.size,
    repliesExpected: 0,
    repliesReceived: 0,
    duplicates: 0,
    missing: 0,
    outOfOrder: 0,
    chatsExactlyRight: 0,
  };
  for (const received of byChat.values()) {
    const chat = chatFigures(expected, received);
    figures.repliesExpected += expected.length;
    figures.repliesReceived += received.length;
    figures.duplicates += chat.duplicates;
    figures.missing += chat.missing;
    figures.outOfOrder += chat.outOfOrder;
    if (chat.duplicates + chat.missing + chat.outOfOrder === 0) figures.chatsExactlyRight++;
  }
  return figures;
}
