import { readConfig } from '../../shared/ops/config.js';
import { createLogger } from '../../shared/ops/logger.js';
import { runService } from '../../shared/ops/service.js';
import { buildFakeViber } from './app.js';

const env = readConfig();
const config = {
  authToken: env.secret('VIBER_AUTH_TOKEN'),
  host: env.string('FAKE_VIBER_HOST', '127.0.0.1'),
  port: env.int('FAKE_VIBER_PORT', 8090, { min: 0, max: 65535 }),
  logLevel: env.string('LOG_LEVEL', 'info'),
};
const logger = createLogger('fake-viber', config.logLevel);

runService(logger, async () => {
  env.done();
  const app = buildFakeViber({ authToken: config.authToken, logger });
  await app.listen({ host: config.host, port: config.port });
  return { stop: () => app.close() };
});
