import { performance } from 'node:perf_hooks';
import { afterEach, beforeAll, afterAll, describe, expect, test } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { JsMsg } from '@nats-io/jetstream';
import { ensurePartitionConsumer, ensureStream, partitionSubject, Streams, type Bus } from '../../shared/bus/bus.js';
import {
  OWNERSHIP_BUCKET,
  startPartitionOwnership,
  takeOverPartitionConsumer,
  type Lease,
  type PartitionOwnership,
} from '../../services/worker/index.js';
import { eventually, freshBus, natsUrl, testLogger } from '../harness/infra.js';

const PARTITIONS = 8;
const TTL_MS = 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Member {
  id: string;
  nc: NatsConnection;
  ownership: PartitionOwnership;
  /** What the runtime would be consuming: gained and neither released nor lost. */
  active: Map<number, Lease>;
  gained: { lease: Lease; at: number }[];
  released: Lease[];
  lost: { lease: Lease; reason: string; at: number }[];
}

/**
 * Every member's callbacks in one place, checking single activation as they happen: when a member
 * gains a partition, no other member may still be consuming it (its drain must have finished or it
 * must have been told of the loss), and no other member's holds() may still say yes.
 */
class Ledger {
  readonly members: Member[] = [];
  readonly violations: string[] = [];

  gain(member: Member, lease: Lease) {
    for (const other of this.members) {
      if (other === member) continue;
      if (other.active.has(lease.partition)) {
        this.violations.push(`${member.id} gained ${lease.partition} while ${other.id} still consumes it`);
      }
      for (const { lease: old } of other.gained.filter((g) => g.lease.partition === lease.partition)) {
        if (other.ownership.holds(old)) this.violations.push(`${other.id} still holds ${lease.partition}`);
        if (old.token >= lease.token) this.violations.push(`token of ${lease.partition} did not grow`);
      }
    }
    member.active.set(lease.partition, lease);
    member.gained.push({ lease, at: performance.now() });
  }
}

async function startMember(ledger: Ledger, id: string): Promise<Member> {
  const nc = await connect({ servers: natsUrl() });
  const member = { id, nc, active: new Map(), gained: [], released: [], lost: [] } as unknown as Member;
  ledger.members.push(member);
  member.ownership = await startPartitionOwnership({
    nc,
    workerId: id,
    partitions: PARTITIONS,
    leaseTtlMs: TTL_MS,
    replicas: 1,
    logger: testLogger,
    async onGained(lease) {
      ledger.gain(member, lease);
    },
    async onReleasing(lease) {
      await sleep(30); // the drain: the turns in hand finish
      member.active.delete(lease.partition);
      member.released.push(lease);
    },
    onLost(lease, reason) {
      member.active.delete(lease.partition);
      member.lost.push({ lease, reason, at: performance.now() });
    },
  });
  return member;
}

const owned = (member: Member) => member.ownership.owned().length;

describe('partition ownership with a real nats-server', () => {
  let bus: Bus;
  let ledger: Ledger;

  beforeAll(async () => {
    bus = await freshBus();
  });
  afterAll(async () => {
    await bus.close();
  });
  afterEach(async () => {
    for (const member of ledger.members) {
      await member.ownership.stop();
      if (!member.nc.isClosed()) await member.nc.close();
    }
    expect(ledger.violations).toEqual([]);
  });

  /**
   * Purged, not deleted: a purge keeps the bucket's sequence, so tokens keep growing for the suites
   * that run later against this server (a recreated bucket would issue smaller tokens than the
   * consumers of earlier terms carry, and takeOverPartitionConsumer refuses those).
   */
  async function freshLedger() {
    await bus.jsm.streams.purge(`KV_${OWNERSHIP_BUCKET}`).catch(() => undefined);
    ledger = new Ledger();
  }

  test('one member owns every partition', async () => {
    await freshLedger();
    const a = await startMember(ledger, 'solo');
    await eventually(() => (owned(a) === PARTITIONS ? true : undefined), 'a to own everything', 5_000);
    expect(a.ownership.members()).toBe(1);
    for (const lease of a.ownership.owned()) expect(a.ownership.holds(lease)).toBe(true);
    expect(a.ownership.holds({ partition: 0, token: 999_999 })).toBe(false);
    // Leases stay with their owner while it renews them.
    await sleep(TTL_MS * 2);
    expect(a.lost).toEqual([]);
    expect(a.gained).toHaveLength(PARTITIONS);
  });

  test('a second member joins: an even split, each gain after the previous owner drained', async () => {
    await freshLedger();
    const a = await startMember(ledger, 'alpha');
    await eventually(() => (owned(a) === PARTITIONS ? true : undefined), 'a to own everything', 5_000);
    const joined = performance.now();
    const b = await startMember(ledger, 'beta');
    await eventually(() => (owned(a) === PARTITIONS / 2 && owned(b) === PARTITIONS / 2 ? true : undefined), 'split');
    console.log(`[ownership] rebalance to 4/4 after a join took ${Math.round(performance.now() - joined)} ms`);
    expect(a.released).toHaveLength(PARTITIONS / 2);
    expect(b.gained.map((g) => g.lease.partition).sort()).toEqual(a.released.map((l) => l.partition).sort());
    expect(a.ownership.members()).toBe(2);
    expect(b.ownership.members()).toBe(2);
    // The split is the p % members spread, so it is stable.
    await sleep(TTL_MS);
    expect(a.gained.length + b.gained.length).toBe(PARTITIONS * 1.5);
    expect([...a.lost, ...b.lost]).toEqual([]);
  });

  test('three members started together settle on an even spread', async () => {
    await freshLedger();
    const started = performance.now();
    const members = await Promise.all(['m1', 'm2', 'm3'].map((id) => startMember(ledger, id)));
    const spread = () => members.map(owned).sort();
    // 8 partitions over 3 members: 3, 3, 2
    await eventually(() => (spread().join() === '2,3,3' ? true : undefined), 'an even spread', 5_000);
    const gains = members.reduce((sum, m) => sum + m.gained.length, 0);
    const took = Math.round(performance.now() - started);
    console.log(`[ownership] cold start of 3 members: even after ${took} ms, ${gains} gains`);
    await sleep(TTL_MS);
    expect(spread()).toEqual([2, 3, 3]);
    expect(members.flatMap((m) => m.lost)).toEqual([]);
  });

  test('a member that freezes loses its partitions to the other within ttl + 1 s', async () => {
    await freshLedger();
    const a = await startMember(ledger, 'frozen');
    const b = await startMember(ledger, 'survivor');
    await eventually(() => (owned(a) === PARTITIONS / 2 && owned(b) === PARTITIONS / 2 ? true : undefined), 'split');
    const aLeases = a.ownership.owned();
    const frozenAt = performance.now();
    // No stop(), no goodbye: its renewals fail from now on, as after SIGSTOP or a network cut.
    await a.nc.close();
    await eventually(() => (owned(b) === PARTITIONS ? true : undefined), 'b to own everything', 5_000);
    const takeover = Math.max(...b.gained.map((g) => g.at)) - frozenAt;
    console.log(`[ownership] takeover of a frozen member's partitions took ${Math.round(takeover)} ms (ttl ${TTL_MS})`);
    expect(takeover).toBeLessThan(TTL_MS + 1000);
    for (const lease of aLeases) expect(a.ownership.holds(lease)).toBe(false);
    expect(a.lost.map((l) => l.lease.partition).sort()).toEqual(aLeases.map((l) => l.partition).sort());
    // The frozen member was told before the survivor gained (its deadline ends before the key expires).
    const takenOver = b.gained.filter((g) => aLeases.some((l) => l.partition === g.lease.partition));
    const firstGain = Math.min(...takenOver.map((g) => g.at));
    expect(Math.max(...a.lost.map((l) => l.at))).toBeLessThan(firstGain);
    await eventually(() => (b.ownership.members() === 1 ? true : undefined), 'b to see a gone');
  });

  test('after a pause longer than the lease (SIGSTOP), holds() refuses before any timer has run', async () => {
    await freshLedger();
    const a = await startMember(ledger, 'paused');
    await eventually(() => (owned(a) === PARTITIONS ? true : undefined), 'a to own everything', 5_000);
    const leases = a.ownership.owned();
    // Block the event loop past the deadline: no timer, no renewal, no callback can run meanwhile.
    const until = performance.now() + TTL_MS;
    while (performance.now() < until);
    expect(leases.filter((lease) => a.ownership.holds(lease))).toEqual([]);
    expect(a.lost).toEqual([]); // refused synchronously, before the deadline timer told anyone
    await eventually(() => (a.lost.length === PARTITIONS ? true : undefined), 'the losses', 2_000);
    // Nobody else is there: it claims them again, in new terms with larger tokens.
    await eventually(() => (owned(a) === PARTITIONS ? true : undefined), 'new terms', 5_000);
    for (const lease of a.ownership.owned()) {
      expect(lease.token).toBeGreaterThan(leases.find((l) => l.partition === lease.partition)!.token);
    }
  });

  test('stop() hands every partition over', async () => {
    await freshLedger();
    const a = await startMember(ledger, 'leaving');
    const b = await startMember(ledger, 'staying');
    await eventually(() => (owned(a) === PARTITIONS / 2 && owned(b) === PARTITIONS / 2 ? true : undefined), 'split');
    const aLeases = a.ownership.owned();
    const stopping = performance.now();
    await a.ownership.stop();
    expect(owned(a)).toBe(0);
    expect(a.released.map((l) => l.partition).sort()).toEqual(aLeases.map((l) => l.partition).sort());
    await eventually(() => (owned(b) === PARTITIONS ? true : undefined), 'b to own everything', 5_000);
    console.log(`[ownership] handover on stop() took ${Math.round(performance.now() - stopping)} ms`);
    await eventually(() => (b.ownership.members() === 1 ? true : undefined), 'b to see a gone', 2_000);
    expect([...a.lost, ...b.lost]).toEqual([]);
  });

  test('a member whose renewals are refused loses the lease at once', async () => {
    await freshLedger();
    const a = await startMember(ledger, 'usurped');
    await eventually(() => (owned(a) === PARTITIONS ? true : undefined), 'a to own everything', 5_000);
    const [lease] = a.ownership.owned();
    // Someone overwrites the key (an operator, a bug): the next renewal's compare-and-set fails.
    await bus.js.publish(`$KV.${OWNERSHIP_BUCKET}.partition.${lease!.partition}`, JSON.stringify({ owner: 'other' }));
    await eventually(() => (a.lost.length > 0 ? true : undefined), 'the loss', 2_000);
    expect(a.ownership.holds(lease!)).toBe(false);
    expect(a.lost[0]!.lease).toEqual(lease);
  });
});

describe('takeOverPartitionConsumer', () => {
  let bus: Bus;
  const stream = Streams.Events;
  const group = 'worker';
  const settings = { ackWaitMs: 30_000, maxAckPending: 1 };

  beforeAll(async () => {
    bus = await freshBus();
    await ensureStream(bus.jsm, stream, { replicas: 1 });
  });
  afterAll(async () => {
    await bus.close();
  });

  const next = async (name: string): Promise<JsMsg> => {
    const msg = await (await bus.js.consumers.get(stream.name, name)).next({ expires: 2_000 });
    if (!msg) throw new Error(`nothing delivered by ${name}`);
    return msg;
  };
  const consumers = async () => {
    const names: string[] = [];
    for await (const info of bus.jsm.consumers.list(stream.name)) names.push(info.name);
    return names.sort();
  };

  test('a new term starts after what was acknowledged, at once, and the old consumer is gone', async () => {
    // Partition 3 interleaved with partition 4, so stream and partition sequences differ.
    for (let i = 0; i < 10; i++) {
      await bus.js.publish(partitionSubject(stream, 3), `p3-${i}`);
      await bus.js.publish(partitionSubject(stream, 4), `p4-${i}`);
    }
    await ensurePartitionConsumer(bus.jsm, stream, group, 4, { ackWaitMs: 30_000 });
    const legacy = await ensurePartitionConsumer(bus.jsm, stream, group, 3, { ackWaitMs: 30_000 });
    for (let i = 0; i < 4; i++) await (await next(legacy)).ackAck();
    const unacked = await next(legacy); // p3-4, held by an owner that is about to die

    const started = performance.now();
    const term7 = await takeOverPartitionConsumer(bus.jsm, { stream, group, partition: 3, token: 7, ...settings });
    expect(term7).toBe('worker-p3-t7');
    expect(await consumers()).toEqual(['worker-p3-t7', 'worker-p4']);
    // The unacknowledged message comes first and at once, without waiting for the 30 s ack_wait.
    const first = await next(term7);
    console.log(`[ownership] first redelivery after takeover: ${Math.round(performance.now() - started)} ms`);
    expect(first.string()).toBe('p3-4');
    // The dead owner's late ack goes to a consumer that no longer exists: the new term is untouched.
    await unacked.ackAck().then(
      () => expect.fail('the old consumer took the ack'),
      () => undefined,
    );
    const info = await bus.jsm.consumers.info(stream.name, term7);
    expect(info.ack_floor.stream_seq).toBe(7); // p3-3: stream sequences 1, 3, 5, 7 are p3-0..3
    expect(info.num_ack_pending).toBe(1);
    first.nak();
    expect((await next(term7)).string()).toBe('p3-4'); // left unacknowledged for the next test
  });

  test('each later term starts after the previous term’s acks; a stale term is refused', async () => {
    // worker-p3-t7 acknowledged nothing: its floor is its start − 1, so t9 starts at p3-4, not at 0.
    const term9 = await takeOverPartitionConsumer(bus.jsm, { stream, group, partition: 3, token: 9, ...settings });
    expect(await consumers()).toEqual(['worker-p3-t9', 'worker-p4']);
    const handled: string[] = [];
    for (let i = 0; i < 3; i++) {
      const msg = await next(term9);
      handled.push(msg.string());
      await msg.ackAck();
    }
    expect(handled).toEqual(['p3-4', 'p3-5', 'p3-6']);
    // A term older than the current one (a paused owner resuming mid-takeover) must not delete it.
    await expect(
      takeOverPartitionConsumer(bus.jsm, { stream, group, partition: 3, token: 8, ...settings }),
    ).rejects.toThrow(/later term/);
    const term12 = await takeOverPartitionConsumer(bus.jsm, { stream, group, partition: 3, token: 12, ...settings });
    const rest: string[] = [];
    for (let i = 7; i < 10; i++) {
      const msg = await next(term12);
      rest.push(msg.string());
      await msg.ackAck();
    }
    expect(rest).toEqual(['p3-7', 'p3-8', 'p3-9']);
    expect(await consumers()).toEqual(['worker-p3-t12', 'worker-p4']);
  });

  test('with no earlier consumer, the first term delivers the partition from the start', async () => {
    const name = await takeOverPartitionConsumer(bus.jsm, { stream, group, partition: 5, token: 3, ...settings });
    await bus.js.publish(partitionSubject(stream, 5), 'p5-0');
    expect((await next(name)).string()).toBe('p5-0');
  });
});
