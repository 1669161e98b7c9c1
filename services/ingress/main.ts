import { connectBus } from '../../shared/bus.js';
import { ensureTopology, publishChatEvent } from '../../shared/chat-bus.js';
import { readConfig, readInfraConfig } from '../../shared/config.js';
import { createLogger } from '../../shared/logger.js';
import { runService } from '../../shared/service.js';
import { readViberConfig } from '../../shared/viber/config.js';
import { buildIngress } from './app.js';

const env = readConfig();
const infra = readInfraConfig(env);
const viber = readViberConfig(env);
const config = {
  host: env.string('INGRESS_HOST', '0.0.0.0'),
  port: env.int('INGRESS_PORT', 8080, { min: 0, max: 65535 }),
  paymentSecret: env.secret('PAYMENT_SECRET'),
};
const logger = createLogger('ingress', infra.logLevel);

runService(logger, async () => {
  env.done();
  const bus = await connectBus(infra.natsUrl, 'ingress', logger);
  await ensureTopology(bus.jsm, infra);
  const app = buildIngress({
    authToken: viber.authToken,
    paymentSecret: config.paymentSecret,
    sender: viber.sender,
    logger,
    publish: (event, correlationId) => publishChatEvent(bus.js, infra.partitions, event, correlationId),
    isBusReady: () => !bus.nc.isClosed() && bus.nc.info !== undefined,
  });
  await app.listen({ host: config.host, port: config.port });
  return {
    async stop() {
      await app.close();
      await bus.close();
    },
  };
});
