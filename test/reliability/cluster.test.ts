import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connectBus, Streams } from '../../shared/bus/bus.js';
import { startNatsCluster, type LocalCluster } from '../../tools/dev/local-servers.js';
import { eventually, mongoUrl, testLogger } from '../harness/infra.js';
import { startStack, type Stack } from '../harness/processes.js';
import { collectReplies, expectedReplies, runTraffic } from '../harness/traffic.js';

const AUTH_TOKEN = 'cluster-token';
/** Short enough that a message held by a connection to the dead node comes again within the test. */
const PATIENT = { ACK_WAIT_MS: '3000', RETRY_BASE_MS: '100', MAX_DELIVERIES: '40', STREAM_REPLICAS: '3' };

describe('a three-node NATS cluster loses a node mid-traffic', () => {
  let dir: string;
  let cluster: LocalCluster;
  let stack: Stack;
  let expected: string[];

  beforeAll(async () => {
    expected = await expectedReplies();
    dir = mkdtempSync(join(tmpdir(), 'nats-cluster-'));
    cluster = await startNatsCluster({ dataDir: dir, nodes: 3 });
    stack = await startStack({
      natsUrl: cluster.url,
      mongoUrl: mongoUrl(),
      mongoDb: `cluster_${randomUUID().slice(0, 8)}`,
      authToken: AUTH_TOKEN,
      extraEnv: PATIENT,
      workers: 2,
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the streams are replicated on all three nodes', async () => {
    const bus = await connectBus(cluster.url, 'test', testLogger);
    try {
      for (const stream of [Streams.Events, Streams.Replies]) {
        const info = await bus.jsm.streams.info(stream.name);
        expect(info.config.num_replicas, stream.name).toBe(3);
        expect(info.cluster?.replicas ?? [], stream.name).toHaveLength(2);
      }
    } finally {
      await bus.close();
    }
  });

  test('SIGKILL of one node: every chat gets exactly its replies, in order', async () => {
    // The loss of a node mid-traffic, not mid-takeover: a node killed while a worker creates its
    // partition consumers stalls those partitions until the cluster answers again (20-40 s here).
    await eventually(() => (gainedPartitions(stack) >= Number(stack.env.PARTITIONS) ? true : undefined), 'owners');
    const chatIds = Array.from({ length: 8 }, (_, i) => `cluster-${i}-${randomUUID().slice(0, 6)}`);
    // The node the most clients talk to is the one whose loss costs the most: pick the first URL's.
    const victim = cluster.nodes[0]!;
    let killed = false;
    await runTraffic({
      webhookUrl: `${stack.ingressUrl}/viber/webhook`,
      authToken: AUTH_TOKEN,
      chatIds,
      onProgress: (sent) => {
        if (!killed && sent === 30) {
          killed = true;
          victim.process.kill('SIGKILL');
        }
      },
    });
    const replies = await collectReplies(stack.fakeViberUrl, chatIds, expected.length, 45_000);
    expect(killed).toBe(true);
    for (const chatId of chatIds) expect(replies.get(chatId), chatId).toEqual(expected);
    expect(stack.services.every((s) => s.child.exitCode === null)).toBe(true);
  });
});

/** Partitions the stack's workers have started consuming. */
const gainedPartitions = (stack: Stack) =>
  stack.services.flatMap((service) => service.logs).filter((line) => line.msg === 'partition gained').length;
