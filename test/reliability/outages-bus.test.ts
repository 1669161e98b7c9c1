import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startNats, type LocalServer } from '../../tools/dev/local-servers.js';
import { Callbacks, postCallback } from '../../fakes/viber/callbacks.js';
import { eventually, mongoUrl } from '../harness/infra.js';
import { readiness } from '../harness/metrics.js';
import { startStack, type Stack } from '../harness/processes.js';
import { collectReplies, expectedReplies } from '../harness/traffic.js';

/**
 * The bus unreachable: ingress tells Viber 503 at once (Viber keeps the callback and sends it
 * again), its readiness says why, and both come back by themselves. A nats-server of this suite's
 * own, because the one the other suites share must not go down.
 */
const AUTH_TOKEN = 'bus-outage-token';

describe('ingress while the bus is unreachable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outage-nats-'));
  let nats: LocalServer;
  let stack: Stack;

  beforeAll(async () => {
    nats = await startNats({ dataDir: dir });
    const mongoDb = `busout_${randomUUID().slice(0, 8)}`;
    stack = await startStack({ natsUrl: nats.url, mongoUrl: mongoUrl(), mongoDb, authToken: AUTH_TOKEN });
  });
  afterAll(async () => {
    await stack?.stop();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const webhook = () => `${stack.ingressUrl}/viber/webhook`;
  /** Posts a callback and times ingress's answer. */
  async function timedPost(callback: ReturnType<typeof Callbacks.text>) {
    const started = performance.now();
    const answer = await postCallback(webhook(), callback, AUTH_TOKEN);
    return { status: answer.status, ms: performance.now() - started };
  }
  /** A callback sent five times while the bus is out, as Viber resends it: 503 each time, within a second. */
  async function expectRefusedQuickly(callback: ReturnType<typeof Callbacks.text>) {
    for (let i = 0; i < 5; i++) {
      const { status, ms } = await timedPost(callback);
      expect(status).toBe(503);
      expect(ms).toBeLessThan(1_000);
    }
    const started = performance.now();
    const ready = await readiness(stack.ingressUrl);
    expect(ready.status).toBe(503);
    expect(ready.body.checks.nats).not.toBe('ok');
    expect(performance.now() - started).toBeLessThan(1_500);
  }
  async function expectAcceptedAgain(chatId: string, callback: ReturnType<typeof Callbacks.text>) {
    const ready = async () => ((await readiness(stack.ingressUrl)).status === 200 ? true : undefined);
    await eventually(ready, 'ready again', 20_000);
    // Viber sends the refused callback again: now it is taken, and answered.
    await eventually(async () => ((await timedPost(callback)).status === 200 ? true : undefined), 'the resend taken');
    const expected = await expectedReplies(['Начать']);
    expect((await collectReplies(stack.fakeViberUrl, [chatId], expected.length)).get(chatId)).toEqual(expected);
  }

  test('nats-server stopped: 503 within a second, not ready; restarted: the resent callback answered', async () => {
    const chatId = `bus-${randomUUID()}`;
    const callback = Callbacks.text(chatId, 'Начать');
    expect((await readiness(stack.ingressUrl)).status).toBe(200);
    await nats.stop();
    await expectRefusedQuickly(callback);
    nats = await startNats({ dataDir: dir, port: nats.port });
    await expectAcceptedAgain(chatId, callback);
  });

  test('nats-server hanging (SIGSTOP, socket open): 503 within a second, not ready; resumed: ready again', async () => {
    const chatId = `bus-${randomUUID()}`;
    const callback = Callbacks.text(chatId, 'Начать');
    expect((await readiness(stack.ingressUrl)).status).toBe(200);
    nats.process.kill('SIGSTOP');
    try {
      await expectRefusedQuickly(callback);
    } finally {
      nats.process.kill('SIGCONT');
    }
    await expectAcceptedAgain(chatId, callback);
  });
});
