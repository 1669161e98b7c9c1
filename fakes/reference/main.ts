import { readConfig } from '../../shared/ops/config.js';
import { createLogger } from '../../shared/ops/logger.js';
import { connectStore } from '../../shared/store/mongo.js';
import { runService } from '../../shared/ops/service.js';
import { buildReferenceSystems } from './app.js';

/** The local billing, SMS gateway and payment provider (see app.ts), for `npm start`, demos and tests. */

const env = readConfig();
const port = env.int('REFERENCE_PORT', 8070, { min: 0, max: 65535 });
const config = {
  mongoUrl: env.string('MONGO_URL', 'mongodb://127.0.0.1:27017'),
  mongoDb: env.string('REFERENCE_DB', 'energobot_reference'),
  host: env.string('REFERENCE_HOST', '127.0.0.1'),
  port,
  publicUrl: env.url('REFERENCE_PUBLIC_URL', `http://127.0.0.1:${port}`),
  paymentSecret: env.secret('PAYMENT_SECRET'),
  callbackUrl: env.url('PAYMENT_CALLBACK_URL', 'http://127.0.0.1:8080/payments/callback'),
  logLevel: env.oneOf('LOG_LEVEL', ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const, 'info'),
};
const logger = createLogger('reference', config.logLevel);

runService(logger, async () => {
  env.done();
  const store = await connectStore(config.mongoUrl, config.mongoDb);
  const app = buildReferenceSystems({
    db: store.db,
    logger,
    publicUrl: config.publicUrl,
    paymentSecret: config.paymentSecret,
    callbackUrl: config.callbackUrl,
  });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await store.close();
    throw error;
  }
  return {
    stop: async () => {
      await app.close();
      await store.close();
    },
  };
});
