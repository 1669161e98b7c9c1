import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureChromium } from '../../tools/dev/browser.js';
import { startMongoCompatible, startNats, type LocalServer } from '../../tools/dev/local-servers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    natsUrl: string;
    mongoUrl: string;
  }
}

/**
 * Starts a throwaway nats-server (JetStream) and a MongoDB-protocol server on free ports in a temp
 * folder, building them first on a fresh machine. NATS_URL and MONGO_URL, when set, are used instead.
 */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'energobot-test-'));
  const started: LocalServer[] = [];
  const progress = (message: string) => console.log(`[harness] ${message}`);

  let natsUrl = process.env.NATS_URL;
  if (!natsUrl) {
    const nats = await startNats({ dataDir: join(dir, 'nats') });
    started.push(nats);
    natsUrl = nats.url;
  }
  let mongoUrl = process.env.MONGO_URL;
  if (!mongoUrl) {
    const store = await startMongoCompatible({ dataDir: join(dir, 'store'), progress });
    started.push(store);
    mongoUrl = store.url;
    progress(`store: ${store.engine} at ${store.url}`);
  }
  progress(`nats: ${natsUrl}`);
  // The simulator page's test fails (not skips) without a browser: get it here, once.
  const browser = ensureChromium(progress);
  if (browser.reason) progress(browser.reason);
  project.provide('natsUrl', natsUrl);
  project.provide('mongoUrl', mongoUrl);

  return async () => {
    await Promise.all(started.map((server) => server.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
}
