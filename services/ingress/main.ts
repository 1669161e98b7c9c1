import { connectBus } from '../../shared/bus/bus.js';
import { ensureTopology, publishChatEvent } from '../../shared/bus/chat-bus.js';
import { natsChatSettings } from '../../shared/chat-settings.js';
import { readConfig, readInfraConfig } from '../../shared/ops/config.js';
import { createLogger } from '../../shared/ops/logger.js';
import { runService } from '../../shared/ops/service.js';
import { readViberConfig } from '../../shared/viber/config.js';
import { createRegistry } from '../../shared/ops/metrics.js';
import { natsReady, watchNatsLink } from '../../shared/ops/readiness.js';
import { buildIngress } from './app.js';
import { boundedPublish } from './bounded-publish.js';
import { registerCallbackMetrics, timedPublish } from './metrics.js';
import { ChatRateLimiter, DEFAULT_RATE_LIMIT } from './rate-limit.js';

const env = readConfig();
const infra = readInfraConfig(env);
const viber = readViberConfig(env);
const config = {
  host: env.string('INGRESS_HOST', '0.0.0.0'),
  port: env.int('INGRESS_PORT', 8080, { min: 0, max: 65535 }),
  paymentSecret: env.secret('PAYMENT_SECRET'),
  // Viber waits for the answer: below a second, so a bus in trouble costs it a 503, not a hang.
  publishTimeoutMs: env.int('PUBLISH_TIMEOUT_MS', 800, { min: 50 }),
  rateLimit: {
    burst: env.int('RATE_LIMIT_BURST', DEFAULT_RATE_LIMIT.burst, { min: 1 }),
    perSecond: env.number('RATE_LIMIT_PER_SECOND', DEFAULT_RATE_LIMIT.perSecond, { min: 0.001 }),
    maxChats: env.int('RATE_LIMIT_CHATS', DEFAULT_RATE_LIMIT.maxChats, { min: 1 }),
  },
};
const logger = createLogger('ingress', infra.logLevel);

runService(logger, async () => {
  env.done();
  const bus = await connectBus(infra.natsUrl, 'ingress', logger);
  await ensureTopology(bus.jsm, infra);
  const registry = createRegistry('ingress');
  const link = watchNatsLink(bus.nc);
  const settings = await natsChatSettings(bus.js, infra.replicas);
  const publish = boundedPublish(
    (event, correlationId) => publishChatEvent(bus.js, infra.partitions, event, correlationId),
    link,
    config.publishTimeoutMs,
  );
  const app = buildIngress({
    authToken: viber.authToken,
    paymentSecret: config.paymentSecret,
    sender: viber.sender,
    logger,
    publish: timedPublish(publish, registry),
    // Ingress's own app serves health and metrics: the webhook's port is the one probes reach anyway.
    ops: { registry, checks: [natsReady(bus.nc, link)] },
    meter: registerCallbackMetrics(registry),
    rateLimiter: new ChatRateLimiter(config.rateLimit),
    buttonColor: (chatId) => settings.buttonColor(chatId),
  });
  await app.listen({ host: config.host, port: config.port });
  return {
    async stop() {
      await app.close();
      await bus.close();
    },
  };
});
