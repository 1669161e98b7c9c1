import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { freePort, startMongoCompatible, startNats, type LocalServer } from '../../tools/dev/local-servers.js';
import { freshBus, mongoUrl, natsUrl } from '../harness/infra.js';
import { startStack } from '../harness/processes.js';
import { collectReplies, expectedReplies, runTraffic } from '../harness/traffic.js';

const AUTH_TOKEN = 'restart-token';
/** Enough retries to outlast a restart of a few seconds. */
const PATIENT = { ACK_WAIT_MS: '2000', RETRY_BASE_MS: '100', MAX_DELIVERIES: '40' };

let expected: string[];
const cleanup: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  expected = await expectedReplies();
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** Starts a server on a fixed port and folder, again and again: a supervisor restarting it after a crash. */
async function restartable(start: (dataDir: string, port: number) => Promise<LocalServer>) {
  const dir = mkdtempSync(join(tmpdir(), 'restartable-'));
  const port = await freePort();
  let server = await start(dir, port);
  cleanup.push(
    () => rmSync(dir, { recursive: true, force: true }),
    () => server.stop(),
  );
  return {
    url: server.url,
    async crashAndRestart(downMs: number) {
      server.process.kill('SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, downMs));
      // The old process may hold its port or files a moment longer.
      for (let attempt = 1; ; attempt++) {
        try {
          server = await start(dir, port);
          return;
        } catch (error) {
          if (attempt === 5) throw error;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    },
  };
}

describe('restarts while traffic flows: services reconnect, every chat answered once and in order', () => {
  test.each([
    ['nats-server', 'bus'],
    ['the store', 'store'],
  ] as const)('%s killed with SIGKILL and restarted', async (_label, which) => {
    const server = await restartable((dataDir, port) =>
      which === 'bus' ? startNats({ dataDir, port }) : startMongoCompatible({ dataDir, port }),
    );
    if (which === 'store') await (await freshBus()).close();
    const stack = await startStack({
      natsUrl: which === 'bus' ? server.url : natsUrl(),
      mongoUrl: which === 'store' ? server.url : mongoUrl(),
      mongoDb: `restart_${randomUUID().slice(0, 8)}`,
      authToken: AUTH_TOKEN,
      extraEnv: PATIENT,
    });
    cleanup.push(() => stack.stop());

    const chatIds = Array.from({ length: 6 }, (_, i) => `restart-${i}-${randomUUID().slice(0, 6)}`);
    let restarted = false;
    const traffic = await runTraffic({
      webhookUrl: `${stack.ingressUrl}/viber/webhook`,
      authToken: AUTH_TOKEN,
      chatIds,
      onProgress: async (sent) => {
        if (!restarted && sent === 20) {
          restarted = true;
          await server.crashAndRestart(1_500);
        }
      },
    });
    const replies = await collectReplies(stack.fakeViberUrl, chatIds, expected.length, 90_000);
    for (const chatId of chatIds) expect(replies.get(chatId), chatId).toEqual(expected);
    expect(restarted).toBe(true);
    // While the bus was down ingress answered 503, and the callbacks were sent again, as Viber does.
    if (which === 'bus') expect(traffic.retried).toBeGreaterThan(0);
    expect(stack.services.every((s) => s.child.exitCode === null)).toBe(true);
  });
});
