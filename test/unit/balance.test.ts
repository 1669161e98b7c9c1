import { describe, expect, it } from 'vitest';
import { planBalance, type BalanceInput } from '../../services/worker/index.js';

const ownersOf = (entries: [number, string][]) => new Map(entries);
const allOwnedBy = (owner: string, partitions: number) =>
  ownersOf(Array.from({ length: partitions }, (_, p) => [p, owner] as [number, string]));
const counts = (owners: ReadonlyMap<number, string>) => {
  const result = new Map<string, number>();
  for (const owner of owners.values()) result.set(owner, (result.get(owner) ?? 0) + 1);
  return result;
};

/**
 * Members acting one after another on what they see, releases and claims applied at once, until a
 * round changes nothing. Returns the final owners and the number of rounds it took.
 */
function settle(members: string[], partitions: number, start = new Map<number, string>(), order = members) {
  const owners = new Map(start);
  for (let round = 1; round <= 50; round++) {
    let moved = false;
    for (const self of order) {
      const plan = planBalance({ self, members, owners, partitions });
      for (const p of plan.release) {
        expect(owners.get(p)).toBe(self);
        owners.delete(p);
        moved = true;
      }
      for (const { partition } of plan.claim) {
        if (owners.has(partition)) continue; // the KV would refuse this claim
        owners.set(partition, self);
        moved = true;
      }
    }
    if (!moved) return { owners, rounds: round };
  }
  throw new Error('no convergence in 50 rounds');
}

describe('partition balance', () => {
  it('a lone member claims every free partition, all of them preferred', () => {
    const plan = planBalance({ self: 'a', members: ['a'], owners: new Map(), partitions: 4 });
    expect(plan).toEqual({ claim: [0, 1, 2, 3].map((partition) => ({ partition, preferred: true })), release: [] });
  });

  it('counts itself even when its member key is not seen yet', () => {
    const plan = planBalance({ self: 'b', members: ['a'], owners: allOwnedBy('a', 8), partitions: 8 });
    expect(plan).toEqual({ claim: [], release: [] });
  });

  it('above the quota, releases the partitions the other member prefers', () => {
    const plan = planBalance({ self: 'a', members: ['a', 'b'], owners: allOwnedBy('a', 8), partitions: 8 });
    // a is index 0 of [a, b]: it keeps the even partitions and gives up the odd ones, highest first.
    expect(plan).toEqual({ claim: [], release: [7, 5, 3, 1] });
  });

  it('below the quota, claims free partitions, its preferred ones first', () => {
    const owners = ownersOf([
      [0, 'a'],
      [2, 'a'],
      [4, 'a'],
      [6, 'a'],
    ]);
    const plan = planBalance({ self: 'b', members: ['a', 'b'], owners, partitions: 8 });
    expect(plan.claim.map((c) => c.partition)).toEqual([1, 3, 5, 7]);
    expect(plan.claim.every((c) => c.preferred)).toBe(true);
  });

  it('never claims more than the quota, even with more free partitions', () => {
    const owners = ownersOf([[0, 'a']]);
    const plan = planBalance({ self: 'b', members: ['a', 'b', 'c'], owners, partitions: 9 });
    // b is index 1 of [a, b, c]: 1, 4, 7 are its own; then others up to ceil(9/3) = 3.
    expect(plan.claim).toEqual([1, 4, 7].map((partition) => ({ partition, preferred: true })));
  });

  it('does not count partitions being released, nor treat them as free', () => {
    const input: BalanceInput = {
      self: 'a',
      members: ['a', 'b'],
      owners: allOwnedBy('a', 4),
      partitions: 4,
      releasing: new Set([1, 3]),
    };
    expect(planBalance(input)).toEqual({ claim: [], release: [] });
  });

  it('leaves a dead owner’s partitions alone until its key expires', () => {
    const owners = ownersOf([
      [0, 'a'],
      [1, 'dead'],
      [2, 'a'],
      [3, 'dead'],
    ]);
    expect(planBalance({ self: 'a', members: ['a'], owners, partitions: 4 })).toEqual({ claim: [], release: [] });
  });

  it('when the ceiling leaves a member empty, the richest member gives one partition', () => {
    const owners = ownersOf([
      [0, 'a'],
      [1, 'a'],
      [2, 'b'],
      [3, 'b'],
    ]);
    const members = ['a', 'b', 'c'];
    expect(planBalance({ self: 'a', members, owners, partitions: 4 }).release).toHaveLength(1);
    expect(planBalance({ self: 'b', members, owners, partitions: 4 }).release).toEqual([]);
    // a member at the floor leaves the freed partition to the empty one
    const freed = ownersOf([
      [0, 'a'],
      [2, 'b'],
      [3, 'b'],
    ]);
    expect(planBalance({ self: 'a', members, owners: freed, partitions: 4 }).claim).toEqual([]);
    expect(planBalance({ self: 'c', members, owners: freed, partitions: 4 }).claim).toEqual([
      { partition: 1, preferred: false },
    ]);
  });

  it('converges to an even spread from any start, for any number of members', () => {
    for (let partitions = 1; partitions <= 20; partitions++) {
      for (let n = 1; n <= 6; n++) {
        const members = Array.from({ length: n }, (_, i) => `w${i}`);
        const starts = [new Map<number, string>(), allOwnedBy('w0', partitions), allOwnedBy(`w${n - 1}`, partitions)];
        for (const start of starts) {
          const { owners, rounds } = settle(members, partitions, start, [...members].reverse());
          expect(owners.size).toBe(partitions);
          for (const count of members.map((m) => counts(owners).get(m) ?? 0)) {
            expect(count).toBeGreaterThanOrEqual(Math.floor(partitions / n));
            expect(count).toBeLessThanOrEqual(Math.ceil(partitions / n));
          }
          expect(rounds).toBeLessThanOrEqual(4);
        }
      }
    }
  });

  it('after a member leaves, the others take its partitions without moving their own', () => {
    const { owners } = settle(['a', 'b', 'c'], 16);
    const before = new Map(owners);
    for (const [p, owner] of owners) if (owner === 'c') owners.delete(p);
    const after = settle(['a', 'b'], 16, owners).owners;
    for (const [p, owner] of before) if (owner !== 'c') expect(after.get(p)).toBe(owner);
    expect([...counts(after).values()]).toEqual([8, 8]);
  });
});
