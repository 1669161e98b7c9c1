import { readConfig } from '../../shared/ops/config.js';
import { createLogger } from '../../shared/ops/logger.js';
import { runService } from '../../shared/ops/service.js';
import { buildFakeTelegram } from './app.js';

const env = readConfig();
const config = {
  botToken: env.secret('TELEGRAM_BOT_TOKEN'),
  host: env.string('FAKE_TELEGRAM_HOST', '127.0.0.1'),
  port: env.int('FAKE_TELEGRAM_PORT', 8091, { min: 0, max: 65535 }),
  logLevel: env.string('LOG_LEVEL', 'info'),
};
const logger = createLogger('fake-telegram', config.logLevel);

runService(logger, async () => {
  env.done();
  const app = buildFakeTelegram({ botToken: config.botToken, logger });
  await app.listen({ host: config.host, port: config.port });
  return { stop: () => app.close() };
});
