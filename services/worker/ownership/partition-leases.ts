import { performance } from 'node:perf_hooks';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, JetStreamApiCodes, JetStreamApiError, type JetStreamClient } from '@nats-io/jetstream';
import { Kvm, KvWatchInclude, type KV, type KvEntry } from '@nats-io/kv';
import type { Logger } from '../../../shared/ops/logger.js';
import { planBalance } from './balance.js';

/**
 * Single activation: each partition is owned by one worker at a time through a lease in a NATS KV
 * bucket. A lease is a key written with compare-and-set and a server-side TTL: only one claim of a
 * free key succeeds, a renewal succeeds only if nobody touched the key since our last write, and a
 * dead owner's key disappears by itself, so no clocks are compared between machines. Locally a lease
 * counts only until a deadline measured from the start of the last successful renewal, which ends
 * before the server can expire the key; so when a new owner gains a partition, the old one has
 * already stopped (or refuses in holds()).
 */

export interface Lease {
  partition: number;
  /** fencing token: KV revision of the claim; a later term always has a larger token */
  token: number;
}

export interface OwnershipOptions {
  nc: NatsConnection;
  workerId: string;
  partitions: number;
  leaseTtlMs: number;
  replicas: number;
  logger: Logger;
  /** A lease was won. Resolve once the partition is being consumed. */
  onGained(lease: Lease): Promise<void>;
  /**
   * We give a lease up on purpose (rebalance or stop): resolve after the partition is drained; the KV
   * key is deleted only after that. Called only after onGained settled.
   */
  onReleasing(lease: Lease): Promise<void>;
  /**
   * The lease was lost without our consent (renewal refused, or its local deadline passed without a
   * successful renewal, e.g. after SIGSTOP). Must stop work at once. holds() is false from the moment
   * of the loss; the call itself waits for a pending onGained to settle, so it never comes before it.
   */
  onLost(lease: Lease, reason: string): void;
  /** Optional, for metrics: called on every ownership change with the count now owned. */
  onChange?(owned: number): void;
}

export interface PartitionOwnership {
  /** True only while this lease is surely still ours: same token, and now < local deadline. */
  holds(lease: Lease): boolean;
  owned(): Lease[];
  /** live members seen (including self) */
  members(): number;
  /**
   * Releases every lease (awaiting onReleasing for each, in parallel), deletes the member key, stops
   * timers and watchers.
   */
  stop(): Promise<void>;
}

export const OWNERSHIP_BUCKET = 'worker_ownership';
/** How long the server keeps an expiry or purge marker: long enough for any watcher to see it. */
const MARKER_TTL_MS = 5 * 60_000;
/** A full re-read of the bucket every so many ticks, in case a watcher missed a marker. */
const RESYNC_EVERY_TICKS = 8;
const DEADLINE_CHECK_MS = 50;
/** Between joining and the first claim: workers started together see each other's member keys first. */
const SETTLE_MS = 250;

const memberKey = (id: string) => `member.${id}`;
const partitionKey = (p: number) => `partition.${p}`;
const PARTITION_KEY = /^partition\.(\d+)$/;
const MEMBER_KEY = /^member\.(.+)$/;

/** Key tokens allow only these characters; the id is the owner name in every key and value. */
const keySafe = (workerId: string) => workerId.replace(/[^A-Za-z0-9_-]/g, '_');

/**
 * nats-server reads Nats-TTL in whole seconds, truncating ("1500ms" lives 1 s) and refusing less than
 * 1 s. Rounding up keeps the server's expiry at or after our local deadline, which is what makes it safe.
 */
const ttlHeader = (ms: number) => `${Math.max(1, Math.ceil(ms / 1000))}s`;

const isRefusal = (error: unknown) =>
  error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamWrongLastSequence;

interface OwnerValue {
  owner: string;
  /** The claim's revision; absent on the claim itself, whose own revision is the token. */
  token?: number;
}

/** What the bucket says, key by key: the last revision seen and, while the key is live, its owner. */
class BucketView {
  private readonly slots = new Map<string, { revision: number; owner?: string }>();

  /** Applies one entry unless a newer one is known; says whether anything changed. */
  apply(entry: KvEntry): boolean {
    const known = this.slots.get(entry.key);
    if (known && known.revision >= entry.revision) return false;
    this.slots.set(entry.key, { revision: entry.revision, owner: ownerOf(entry) });
    return known?.owner !== ownerOf(entry);
  }

  /** Replaces the view by a full read; keys the read did not see were removed before it (markers expire). */
  replace(entries: KvEntry[]): void {
    const highWater = Math.max(0, ...entries.map((e) => e.revision));
    for (const [key, slot] of this.slots) if (slot.revision <= highWater) this.slots.delete(key);
    for (const entry of entries) this.apply(entry);
  }

  members(): string[] {
    return this.live(MEMBER_KEY).map(([match]) => match);
  }

  /** partition → owner and revision, for live partition keys. */
  owners(): Map<number, { owner: string; revision: number }> {
    return new Map(
      this.live(PARTITION_KEY).map(([p, slot]) => [Number(p), { owner: slot.owner!, revision: slot.revision }]),
    );
  }

  private live(pattern: RegExp): [string, { revision: number; owner?: string }][] {
    const out: [string, { revision: number; owner?: string }][] = [];
    for (const [key, slot] of this.slots) {
      const match = pattern.exec(key);
      if (match && slot.owner !== undefined) out.push([match[1]!, slot]);
    }
    return out;
  }
}

function valueOf(entry: KvEntry | null): OwnerValue | undefined {
  if (entry?.operation !== 'PUT') return undefined;
  try {
    const value = entry.json<OwnerValue>();
    return typeof value?.owner === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

const ownerOf = (entry: KvEntry) => valueOf(entry)?.owner;

/** One lease we hold, from the claim until it is released or lost. */
interface Held {
  lease: Lease;
  /** Our last write's revision: the next renewal or the release must find the key still there. */
  revision: number;
  /** performance.now() after which the lease is no longer surely ours. */
  deadline: number;
  gaining: Promise<void>;
  releasing?: Promise<void>;
  renewing?: Promise<void>;
}

export async function startPartitionOwnership(options: OwnershipOptions): Promise<PartitionOwnership> {
  const { nc, partitions, leaseTtlMs: ttl } = options;
  const self = keySafe(options.workerId);
  const log = options.logger.child({ component: 'ownership', worker: self });
  const tickMs = ttl / 4;
  // The deadline ends this much before the lease could expire on the server: room for timer lateness.
  const margin = Math.max(200, ttl / 10);
  const requestTimeout = Math.max(500, ttl / 2);

  const js: JetStreamClient = jetstream(nc);
  const kv: KV = await new Kvm(js).create(OWNERSHIP_BUCKET, {
    history: 1,
    replicas: options.replicas,
    markerTTL: MARKER_TTL_MS,
  });
  const view = new BucketView();
  const held = new Map<number, Held>();
  const claiming = new Set<number>();
  const tasks = new Set<Promise<unknown>>();
  let stopping = false;
  let closed = false;

  /** Tracks background work so stop() can wait for it. */
  const track = <T>(task: Promise<T>): Promise<T> => {
    tasks.add(task);
    void task.finally(() => tasks.delete(task)).catch(() => undefined);
    return task;
  };
  const changed = () => options.onChange?.(held.size);

  /**
   * kv.put cannot set a TTL, and kv.create falls back to an update without one when the key holds a
   * delete marker; so leases are plain JetStream publishes: the expected last subject sequence makes
   * each write a compare-and-set (0: the key must not exist), Nats-TTL makes it expire by itself.
   */
  async function write(key: string, value: OwnerValue, expected: number): Promise<number> {
    const ack = await js.publish(`$KV.${OWNERSHIP_BUCKET}.${key}`, JSON.stringify(value), {
      expect: { lastSubjectSequence: expected },
      ttl: ttlHeader(ttl),
      timeout: requestTimeout,
    });
    return ack.seq;
  }

  function holds(lease: Lease): boolean {
    const h = held.get(lease.partition);
    return h !== undefined && h.lease.token === lease.token && performance.now() < h.deadline;
  }

  function lose(h: Held, reason: string) {
    if (held.get(h.lease.partition) !== h) return;
    held.delete(h.lease.partition); // holds() is false from here on
    log.warn({ partition: h.lease.partition, term: h.lease.token, reason }, 'partition lease lost');
    changed();
    // Told once onGained has settled (at once if it has), so a loss never overtakes the gain it ends.
    void h.gaining.then(() => {
      try {
        options.onLost(h.lease, reason);
      } catch (error) {
        log.error({ err: error, partition: h.lease.partition }, 'onLost failed');
      }
    });
    requestRebalance();
  }

  function renew(h: Held) {
    if (h.renewing || held.get(h.lease.partition) !== h) return;
    const { partition, token } = h.lease;
    const started = performance.now();
    // Past the deadline it may already be someone else's: renewing it would only hide the gap.
    if (started >= h.deadline) return lose(h, 'no successful renewal before the deadline');
    h.renewing = write(partitionKey(partition), { owner: self, token }, h.revision)
      .then((revision) => {
        h.revision = revision;
        h.deadline = started + ttl - margin;
      })
      .catch(async (error: unknown) => {
        if (isRefusal(error)) await recheck(h);
        else log.debug({ err: error, partition }, 'lease renewal failed; will retry until the deadline');
      })
      .finally(() => (h.renewing = undefined));
  }

  /** A refused renewal: lost, unless an earlier renewal whose answer we missed did land. */
  async function recheck(h: Held) {
    const entry = await kv.get(partitionKey(h.lease.partition)).catch(() => null);
    const value = valueOf(entry);
    const ours = entry !== null && value?.owner === self && (value.token ?? entry.revision) === h.lease.token;
    if (ours) h.revision = entry.revision;
    else lose(h, 'renewal refused: the key changed');
  }

  async function claim(partition: number) {
    if (stopping || held.has(partition) || claiming.has(partition)) return;
    claiming.add(partition);
    try {
      // The key is absent (expect 0) or holds a delete marker, whose revision the claim must name.
      const current = await kv.get(partitionKey(partition));
      if (current?.operation === 'PUT') {
        if (view.apply(current)) requestRebalance();
        return;
      }
      const started = performance.now();
      const token = await write(partitionKey(partition), { owner: self }, current?.revision ?? 0);
      const lease = { partition, token };
      const h: Held = { lease, revision: token, deadline: started + ttl - margin, gaining: Promise.resolve() };
      held.set(partition, h);
      log.info({ partition, term: token }, 'partition lease gained');
      changed();
      h.gaining = track(gained(h));
    } catch (error) {
      if (isRefusal(error)) log.debug({ partition }, 'another worker claimed the partition first');
      else log.debug({ err: error, partition }, 'claiming a partition failed');
    } finally {
      claiming.delete(partition);
    }
  }

  async function gained(h: Held) {
    try {
      await options.onGained(h.lease);
    } catch (error) {
      // The runtime could not start the partition: hand it back (onReleasing cleans up what it began).
      log.error({ err: error, partition: h.lease.partition }, 'onGained failed; releasing the partition');
      if (held.get(h.lease.partition) === h) void release(h);
    }
  }

  /** Drains (onReleasing), then deletes the key, so the next owner can gain only after the drain. */
  function release(h: Held): Promise<void> {
    h.releasing ??= track(
      (async () => {
        const { partition } = h.lease;
        log.info({ partition, term: h.lease.token }, 'releasing partition lease');
        await h.gaining;
        try {
          await options.onReleasing(h.lease);
        } catch (error) {
          log.error({ err: error, partition }, 'onReleasing failed; releasing anyway');
        }
        if (held.get(partition) !== h) return; // lost meanwhile: onLost has been called, the key is not ours
        await h.renewing;
        if (held.get(partition) !== h) return;
        if (performance.now() >= h.deadline) return lose(h, 'deadline passed while draining');
        // holds() turns false before the key goes, so no save can follow the next owner's gain.
        held.delete(partition);
        changed();
        try {
          await kv.delete(partitionKey(partition), { previousSeq: h.revision });
        } catch (error) {
          // Not deleted: the key expires by its TTL, a slower handover but the same safety.
          log.warn({ err: error, partition }, 'could not delete a released lease; it will expire');
        }
        requestRebalance();
      })(),
    );
    return h.releasing;
  }

  /**
   * A key naming us that we do not hold: a claim whose answer was lost, or a lease dropped at its
   * deadline. Deleting it at the revision we saw is safe (compare-and-set: only if nobody wrote since,
   * and holds() is already false for it) and frees the partition sooner than its TTL would.
   */
  function deleteOrphans(owners: Map<number, { owner: string; revision: number }>) {
    for (const [partition, { owner, revision }] of owners) {
      if (owner !== self || held.has(partition) || claiming.has(partition)) continue;
      void kv.delete(partitionKey(partition), { previousSeq: revision }).catch(() => undefined);
    }
  }

  function plan() {
    const seen = view.owners();
    // Orphans (ours in the bucket, not held) count as free: claim() finds them taken until deleted.
    const owners = new Map([...seen].filter(([, { owner }]) => owner !== self).map(([p, { owner }]) => [p, owner]));
    for (const p of [...held.keys(), ...claiming]) owners.set(p, self);
    const releasing = new Set([...held.values()].filter((h) => h.releasing).map((h) => h.lease.partition));
    return { seen, plan: planBalance({ self, members: view.members(), owners, partitions, releasing }) };
  }

  async function rebalanceOnce() {
    const { seen, plan: first } = plan();
    deleteOrphans(seen);
    for (const p of first.release) {
      const h = held.get(p);
      if (h) void release(h);
    }
    await Promise.all(first.claim.filter((c) => c.preferred).map((c) => claim(c.partition)));
    if (!first.claim.some((c) => !c.preferred)) return;
    // Partitions another member prefers: give it a head start, then claim what is still free.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * (tickMs / 2)));
    if (stopping) return;
    await Promise.all(plan().plan.claim.map((c) => claim(c.partition)));
  }

  let rebalancing: Promise<void> | undefined;
  let again = false;
  /** Set after the first full read and a short pause: workers starting together see each other first. */
  let ready = false;
  function requestRebalance() {
    if (stopping || !ready) return;
    if (rebalancing) {
      again = true;
      return;
    }
    rebalancing = track(
      (async () => {
        do {
          again = false;
          await rebalanceOnce();
        } while (again && !stopping);
      })()
        .catch((error: unknown) => log.warn({ err: error }, 'rebalance failed'))
        .finally(() => (rebalancing = undefined)),
    );
  }

  function onEntry(entry: KvEntry) {
    const h = PARTITION_KEY.test(entry.key) ? held.get(Number(entry.key.slice('partition.'.length))) : undefined;
    // Someone else wrote our key (or it expired): it is not ours, whatever our deadline says.
    if (h && entry.revision > h.revision && ownerOf(entry) !== self) lose(h, 'the key was taken over or expired');
    if (view.apply(entry)) requestRebalance();
  }

  let watcher: Awaited<ReturnType<KV['watch']>> | undefined;
  let synced = () => {};
  const firstSync = new Promise<void>((resolve) => (synced = resolve));
  async function watch() {
    while (!closed && !nc.isClosed()) {
      try {
        watcher = await kv.watch({ include: KvWatchInclude.UpdatesOnly });
        if (closed) return watcher.stop();
        await resync(); // after the watcher starts, so nothing falls between the two
        synced();
        for await (const entry of watcher) onEntry(entry);
      } catch (error) {
        if (!closed) log.debug({ err: error }, 'bucket watcher failed; restarting');
      }
      if (!closed) await new Promise((resolve) => setTimeout(resolve, tickMs));
    }
    synced(); // never synced (the connection closed): start must not wait for ever
  }

  async function resync() {
    const entries: KvEntry[] = [];
    for await (const entry of await kv.history()) entries.push(entry);
    view.replace(entries);
    requestRebalance();
  }

  let memberRefresh: Promise<unknown> | undefined;
  function refreshMember() {
    memberRefresh ??= js
      .publish(`$KV.${OWNERSHIP_BUCKET}.${memberKey(self)}`, JSON.stringify({ owner: self }), {
        ttl: ttlHeader(ttl),
        timeout: requestTimeout,
      })
      .catch((error: unknown) => log.debug({ err: error }, 'member key refresh failed'))
      .finally(() => (memberRefresh = undefined));
  }

  let ticks = 0;
  function tick() {
    if (!stopping) refreshMember();
    for (const h of held.values()) renew(h);
    if (++ticks % RESYNC_EVERY_TICKS === 0 && !nc.isClosed()) track(resync()).catch(() => undefined);
    requestRebalance();
  }

  function checkDeadlines() {
    const now = performance.now();
    for (const h of held.values()) if (now >= h.deadline) lose(h, 'no successful renewal before the deadline');
  }

  refreshMember();
  await memberRefresh;
  const watching = watch();
  await firstSync;
  const settle = setTimeout(
    () => {
      ready = true;
      requestRebalance();
    },
    Math.min(SETTLE_MS, tickMs),
  );
  const ticker = setInterval(tick, tickMs);
  const deadlineChecker = setInterval(checkDeadlines, Math.min(DEADLINE_CHECK_MS, margin / 2));
  log.info({ partitions, leaseTtlMs: ttl }, 'partition ownership started');

  return {
    holds,
    owned: () => [...held.values()].map((h) => h.lease),
    members: () => new Set([...view.members(), self]).size,
    async stop() {
      stopping = true;
      // Leave the membership first: the others' quotas grow at once, so each partition is claimed
      // as soon as its drain is over. A purge with a TTL: the marker tells the others, then goes away.
      await memberRefresh;
      if (!nc.isClosed()) await kv.purge(memberKey(self), { ttl: ttlHeader(ttl) }).catch(() => undefined);
      // Renewals go on (the ticker runs) until every drain is done and every key deleted.
      do {
        await Promise.allSettled([...tasks]);
        await Promise.all([...held.values()].map(release));
      } while (tasks.size > 0);
      clearTimeout(settle);
      clearInterval(ticker);
      clearInterval(deadlineChecker);
      closed = true;
      watcher?.stop();
      await watching;
      log.info('partition ownership stopped');
    },
  };
}
