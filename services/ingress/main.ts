import { publishChatEvent } from '../../shared/bus/chat-bus.js';
import { natsChatSettings } from '../../shared/adapters/nats-chat-settings.js';
import { bootService } from '../../shared/ops/service.js';
import { natsReady, watchNatsLink } from '../../shared/ops/readiness.js';
import { buildIngress } from './app.js';
import { boundedPublish } from './bounded-publish.js';
import { readIngressSettings } from './config.js';
import { registerCallbackMetrics, timedPublish } from './metrics.js';
import { ChatRateLimiter } from './rate-limit.js';

bootService(
  { name: 'ingress', settings: readIngressSettings },
  async ({ settings: config, infra, logger, bus, registry }) => {
    const { viber } = config;
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
      ...(config.telegram.enabled ? { telegramSecret: config.telegram.webhookSecret } : {}),
    });
    await app.listen({ host: config.host, port: config.port });
    return {
      async stop() {
        await app.close();
      },
    };
  },
);
