/**
 * Which partitions this worker should claim or give up, from what it sees of the bucket. A pure
 * function of the same inputs on every member, so members that agree on the membership converge on
 * one even spread without talking to each other; members that briefly disagree only cause a claim
 * that the KV refuses (compare-and-set) or a release that someone else picks up.
 */
export interface BalanceInput {
  self: string;
  /** Live members (self is added if missing). */
  members: readonly string[];
  /** partition → owner, for every partition whose key holds a claim (a dead owner's too, until it expires). */
  owners: ReadonlyMap<number, string>;
  partitions: number;
  /** Our partitions being handed over: neither free nor counted as ours any more. */
  releasing?: ReadonlySet<number>;
}

export interface Claim {
  partition: number;
  /** p % members == my index: mine by default, so claim it at once; others only after a jitter. */
  preferred: boolean;
}

export interface BalancePlan {
  /** Free partitions to claim, preferred first. */
  claim: Claim[];
  release: number[];
}

export function planBalance(input: BalanceInput): BalancePlan {
  const { self, partitions } = input;
  const members = [...new Set([...input.members, self])].sort();
  const n = members.length;
  const myIndex = members.indexOf(self);
  const high = Math.ceil(partitions / n);
  const low = Math.floor(partitions / n);
  const preferred = (p: number) => p % n === myIndex;

  const counts = new Map(members.map((m) => [m, 0]));
  const mine: number[] = [];
  const free: number[] = [];
  for (let p = 0; p < partitions; p++) {
    const owner = input.owners.get(p);
    if (owner === undefined) free.push(p);
    else if (owner === self) {
      if (!input.releasing?.has(p)) mine.push(p);
    } else if (counts.has(owner)) counts.set(owner, counts.get(owner)! + 1);
  }
  counts.set(self, mine.length);
  const others = members.filter((m) => m !== self);
  const starving = others.some((m) => counts.get(m)! < low);

  // Give away the partitions another member prefers first, highest first, so the spread drifts to p % n.
  const giveAway = (count: number) =>
    [...mine].sort((a, b) => Number(preferred(a)) - Number(preferred(b)) || b - a).slice(0, count);
  if (mine.length > high) return { claim: [], release: giveAway(mine.length - high) };
  // ceil(P/n) alone can leave a member with nothing (4 partitions, 3 members: 2, 2, 0). Then the
  // richest member (first in sorted order among equals) gives one up, so only one member moves.
  if (starving && free.length === 0 && mine.length > low) {
    const richest = Math.max(...members.map((m) => counts.get(m)!));
    const firstRichest = members.find((m) => counts.get(m) === richest);
    return { claim: [], release: firstRichest === self ? giveAway(1) : [] };
  }

  // While someone else is below the floor, stop at the floor so the free partitions reach them.
  const limit = (starving ? low : high) - mine.length;
  const claim = free
    .map((partition) => ({ partition, preferred: preferred(partition) }))
    .sort((a, b) => Number(b.preferred) - Number(a.preferred) || a.partition - b.partition)
    .slice(0, Math.max(0, limit));
  return { claim, release: [] };
}
