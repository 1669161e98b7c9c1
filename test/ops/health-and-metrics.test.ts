import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startNats } from '../../tools/dev/local-servers.js';
import { Callbacks, postCallback } from '../../fakes/viber/callbacks.js';
import { eventually, freshBus, mongoUrl, natsUrl } from '../harness/infra.js';
import { readiness, sampleSum, scrape } from '../harness/metrics.js';
import { opsUrlOf, startService, startStack, waitForLog, type Stack } from '../harness/processes.js';

const AUTH_TOKEN = 'ops-token';

describe('health and metrics of ingress, worker and outbound, as real processes', () => {
  let stack: Stack;
  const urls: Record<'ingress' | 'worker' | 'outbound', string> = { ingress: '', worker: '', outbound: '' };
  const chatId = `ops-${randomUUID()}`;

  beforeAll(async () => {
    // Empty streams: events left by earlier suites would move the counters this suite reads.
    await (await freshBus()).close();
    stack = await startStack({
      natsUrl: natsUrl(),
      mongoUrl: mongoUrl(),
      mongoDb: `ops_${randomUUID().slice(0, 8)}`,
      authToken: AUTH_TOKEN,
    });
    urls.ingress = stack.ingressUrl;
    urls.worker = await opsUrlOf(stack.services.find((s) => s.name === 'worker')!);
    urls.outbound = await opsUrlOf(stack.services.find((s) => s.name === 'outbound')!);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  test('callbacks move the counters of every service, and every service is ready', async () => {
    const webhook = `${stack.ingressUrl}/viber/webhook`;
    // A script that reaches billing: the account number is looked up there.
    for (const text of ['Начать', 'Передать показания', 'Запросить СМС код', 'инзб12345678']) {
      expect((await postCallback(webhook, Callbacks.text(chatId, text), AUTH_TOKEN)).status).toBe(200);
    }
    expect((await postCallback(webhook, Callbacks.text(chatId, 'forged'), 'not-the-token')).status).toBe(403);

    const ingress = await scrape(urls.ingress);
    expect(sampleSum(ingress, 'energobot_callbacks_received_total', { source: 'viber', service: 'ingress' })).toBe(5);
    expect(sampleSum(ingress, 'energobot_callbacks_refused_total', { reason: 'bad-signature' })).toBe(1);
    expect(sampleSum(ingress, 'energobot_publish_duration_seconds_count', { outcome: 'stored' })).toBe(4);
    expect(sampleSum(ingress, 'process_resident_memory_bytes')).toBeGreaterThan(0);

    const worker = await eventually(async () => {
      const text = await scrape(urls.worker);
      const settled =
        sampleSum(text, 'energobot_turns_total', { outcome: 'applied' }) >= 4 &&
        sampleSum(text, 'energobot_partitions_owned') === 4;
      return settled ? text : undefined;
    }, 'four applied turns, every partition owned');
    expect(sampleSum(worker, 'energobot_turn_duration_seconds_count')).toBeGreaterThanOrEqual(4);
    expect(
      sampleSum(worker, 'energobot_external_calls_total', {
        system: 'billing',
        operation: 'findAccount',
        outcome: 'ok',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(sampleSum(worker, 'energobot_live_chat_actors')).toBeGreaterThanOrEqual(1);
    // One chat: its actor was activated once and stayed live for its later turns.
    expect(sampleSum(worker, 'energobot_actor_activations_total')).toBe(1);
    expect(sampleSum(worker, 'energobot_turns_rerun_total')).toBe(0);
    // The only worker owns every partition (the stack runs 4), each drained.
    expect(sampleSum(worker, 'energobot_partitions_owned')).toBe(4);
    expect(worker.match(/^energobot_consumer_pending_messages\{/gm)).toHaveLength(4);
    expect(sampleSum(worker, 'energobot_consumer_pending_messages', { group: 'worker' })).toBe(0);
    expect(sampleSum(worker, 'energobot_dead_letters_total', { group: 'worker' })).toBe(0);

    const outbound = await eventually(async () => {
      const text = await scrape(urls.outbound);
      return sampleSum(text, 'energobot_viber_api_calls_total', { status: '0' }) >= 4 ? text : undefined;
    }, 'replies sent to Viber');
    expect(sampleSum(outbound, 'energobot_consumer_redelivered_messages', { group: 'outbound' })).toBe(0);

    for (const [name, url] of Object.entries(urls)) {
      const ready = await readiness(url);
      expect(ready.status, name).toBe(200);
      expect(
        Object.values(ready.body.checks).every((result) => result === 'ok'),
        name,
      ).toBe(true);
      expect((await fetch(`${url}/health/live`)).status, name).toBe(200);
    }
    expect((await readiness(urls.worker)).body.checks).toEqual({ nats: 'ok', store: 'ok' });
  });

  test("the adapters' calls of a turn are logged with the turn's correlation id", () => {
    const worker = stack.services.find((s) => s.name === 'worker')!;
    const call = worker.logs.find((line) => line.msg === 'external call' && line.operation === 'findAccount');
    expect(call?.correlationId).toEqual(expect.any(String));
    const turn = worker.logs.find((line) => line.msg === 'turn' && line.correlationId === call?.correlationId);
    expect(turn).toBeDefined();
  });

  test('readiness answers 503 once NATS is gone, and 200 again when it is back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ops-nats-'));
    let nats = await startNats({ dataDir: dir });
    const outbound = startService('outbound', { ...stack.env, NATS_URL: nats.url });
    try {
      await waitForLog(outbound, 'started');
      const url = await opsUrlOf(outbound);
      expect((await readiness(url)).status).toBe(200);

      await nats.stop();
      const down = await eventually(async () => {
        const ready = await readiness(url);
        return ready.status === 503 ? ready : undefined;
      }, 'readiness 503');
      expect(down.body.checks.nats).not.toBe('ok');
      expect(down.body.checks['viber-config']).toBe('ok');
      // Still alive: a restart would not bring NATS back.
      expect((await fetch(`${url}/health/live`)).status).toBe(200);

      nats = await startNats({ dataDir: dir, port: nats.port });
      await eventually(
        async () => ((await readiness(url)).status === 200 ? true : undefined),
        'readiness 200 again',
        20_000,
      );
    } finally {
      await outbound.stop();
      await nats.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
