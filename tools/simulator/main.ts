import { connectBus } from '../../shared/bus/bus.js';
import { readConfig } from '../../shared/ops/config.js';
import { DEFAULT_CONTENT_PATH, fileContentCatalog } from '../../shared/adapters/file-content-catalog.js';
import { createLogger } from '../../shared/ops/logger.js';
import { runService } from '../../shared/ops/service.js';
import { createChatMachine } from '../../machines/chat.machine.js';
import { publishReminderTick } from '../../shared/bus/reminder-bus.js';
import { buildSimulator, type SimulatorOptions } from './app.js';
import { InspectionLog, listenToInspection } from './inspection-feed.js';
import { machineDiagrams } from './machine-diagram.js';
import { telegramLink } from './telegram-link.js';
import { viberLink } from './viber-link.js';

const env = readConfig();
const config = {
  host: env.string('SIMULATOR_HOST', '127.0.0.1'),
  port: env.int('SIMULATOR_PORT', 8060, { min: 0, max: 65535 }),
  authToken: env.secret('VIBER_AUTH_TOKEN'),
  webhookUrl: env.url('INGRESS_URL', 'http://127.0.0.1:8080/viber/webhook'),
  fakeViberUrl: env.url('FAKE_VIBER_URL', 'http://127.0.0.1:8090'),
  // Telegram customers only when the stack has Telegram: the secret its webhook checks is set.
  telegramSecret: env.string('TELEGRAM_WEBHOOK_SECRET', ''),
  telegramWebhookUrl: env.url('TELEGRAM_WEBHOOK_URL', 'http://127.0.0.1:8080/telegram/webhook'),
  fakeTelegramUrl: env.url('FAKE_TELEGRAM_URL', 'http://127.0.0.1:8091'),
  referenceUrl: env.url('REFERENCE_URL', 'http://127.0.0.1:8070'),
  natsUrl: env.string('NATS_URL', 'nats://127.0.0.1:4222'),
  contentPath: env.string('CONTENT_PATH', DEFAULT_CONTENT_PATH.pathname),
  logLevel: env.string('LOG_LEVEL', 'info'),
};
const logger = createLogger('simulator', config.logLevel);

runService(logger, async () => {
  env.done();
  // The diagram is of the same machine the workers run, made from the same content.
  const machine = createChatMachine(await fileContentCatalog(config.contentPath).load());
  const bus = await connectBus(config.natsUrl, 'simulator', logger);
  const inspections = new InspectionLog();
  const listener = listenToInspection(bus.nc, inspections, logger);
  const links: SimulatorOptions['links'] = {
    viber: viberLink({ webhookUrl: config.webhookUrl, fakeViberUrl: config.fakeViberUrl, authToken: config.authToken }),
  };
  if (config.telegramSecret !== '')
    links.telegram = telegramLink({
      webhookUrl: config.telegramWebhookUrl,
      fakeTelegramUrl: config.fakeTelegramUrl,
      secret: config.telegramSecret,
    });
  const app = buildSimulator({
    links,
    referenceUrl: config.referenceUrl,
    inspections,
    diagram: machineDiagrams(machine),
    remind: (day) => publishReminderTick(bus.js, { day }),
    logger,
  });
  await app.listen({ host: config.host, port: config.port });
  return {
    async stop() {
      listener.stop();
      await app.close();
      await bus.close();
    },
  };
});
