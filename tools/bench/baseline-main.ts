import { readConfig, readInfraConfig } from '../../shared/ops/config.js';
import { fileContentCatalog } from '../../shared/adapters/file-content-catalog.js';
import { createLogger } from '../../shared/ops/logger.js';
import { connectStore } from '../../shared/store/mongo.js';
import { runService } from '../../shared/ops/service.js';
import { createViberBotApi } from '../../shared/adapters/viber-bot-api.js';
import { readViberConfig } from '../../shared/viber/config.js';
import { SUBSCRIBED_EVENT_TYPES } from '../../shared/viber/types.js';
import { chatDialogue } from '../../machines/dialogue.js';
import { MongoChatStore } from '../../services/worker/index.js';
import { buildBaseline, buildEmptyWebhook } from './baseline-app.js';

/**
 * A process of its own for the one-process baseline and the empty webhook, so that they do not
 * share an event loop with the load generator (the pipeline's services do not either).
 */
const env = readConfig();
const infra = readInfraConfig(env);
const viber = readViberConfig(env);
const config = {
  mode: env.oneOf('BENCH_MODE', ['baseline', 'empty'] as const, 'baseline'),
  port: env.int('BENCH_PORT', 0, { min: 0, max: 65535 }),
  // The worker's default, so that both keep the same chats in memory.
  hotChats: env.int('HOT_CHATS', 10_000, { min: 1 }),
};
const logger = createLogger('bench-baseline', infra.logLevel);

runService(logger, async () => {
  env.done();
  if (config.mode === 'empty') {
    const app = buildEmptyWebhook();
    await app.listen({ host: '127.0.0.1', port: config.port });
    return { stop: () => app.close() };
  }
  const store = await connectStore(infra.mongoUrl, infra.mongoDb);
  const app = buildBaseline({
    authToken: viber.authToken,
    store: new MongoChatStore(store.db),
    dialogue: chatDialogue(await fileContentCatalog().load()),
    viber: createViberBotApi({ ...viber, eventTypes: SUBSCRIBED_EVENT_TYPES, timeoutMs: 10_000 }),
    sender: viber.sender,
    logger,
    turnConcurrency: infra.partitions,
    liveChats: config.hotChats,
  });
  await app.listen({ host: '127.0.0.1', port: config.port });
  return {
    async stop() {
      await app.close();
      await store.close();
    },
  };
});
