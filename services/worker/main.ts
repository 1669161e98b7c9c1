import type { JsMsg } from '@nats-io/jetstream';
import { createHttpBillingGateway } from '../../shared/adapters/billing-http.js';
import { createHttpPaymentProvider } from '../../shared/adapters/payments-http.js';
import { createHttpSmsGateway } from '../../shared/adapters/sms-http.js';
import { connectBus, Headers, Streams } from '../../shared/bus.js';
import { ensureTopology, Groups, publishReplies } from '../../shared/chat-bus.js';
import type { ChatEvent } from '../../shared/chat-event.js';
import type { OutboundReply } from '../../shared/reply.js';
import { readConfig, readInfraConfig } from '../../shared/config.js';
import { DEFAULT_CONTENT_PATH, fileContentCatalog } from '../../shared/content.js';
import { chatTag, createLogger } from '../../shared/logger.js';
import { connectStore } from '../../shared/mongo.js';
import { consumePartitions, type Outcome } from '../../shared/partitioned-consumer.js';
import { runService } from '../../shared/service.js';
import { chatDialogue } from '../../machines/dialogue.js';
import { registerConsumerMetrics } from '../../shared/consumer-metrics.js';
import { createRegistry } from '../../shared/metrics.js';
import { readOpsConfig, startOpsServer } from '../../shared/ops-server.js';
import { natsReady, storeReady } from '../../shared/readiness.js';
import { applyChatEvent } from './apply-event.js';
import { CachedChatStore } from './cached-chat-store.js';
import { MongoChatStore } from './chat-store.js';
import { chaosKill } from '../../shared/chaos.js';
import { provideEffects } from './effects.js';
import { PaymentOrders, recordingOrders } from './payment-orders.js';
import { StoredPhoneVerification } from './phone-verification.js';
import { inspectorFor } from './inspection.js';
import { portMeter } from './metered-ports.js';
import { meteredTurn, registerWorkerMetrics } from './metrics.js';
import { inTurn } from './turn-context.js';

const env = readConfig();
const infra = readInfraConfig(env);
const config = {
  turnTimeoutMs: env.int('TURN_TIMEOUT_MS', 10_000, { min: 100 }),
  hotChats: env.int('HOT_CHATS', 10_000, { min: 0 }),
  billingUrl: env.url('BILLING_URL', 'http://127.0.0.1:8070/billing'),
  smsUrl: env.url('SMS_URL', 'http://127.0.0.1:8070/sms'),
  paymentUrl: env.url('PAYMENT_URL', 'http://127.0.0.1:8070/payments'),
  externalTimeoutMs: env.int('EXTERNAL_TIMEOUT_MS', 5_000, { min: 100 }),
  smsCodeSecret: env.secret('SMS_CODE_SECRET'),
  contentPath: env.string('CONTENT_PATH', DEFAULT_CONTENT_PATH.pathname),
  /** INSPECT=1: report each chat actor's states on NATS, for the simulator's live diagram. */
  inspect: env.oneOf('INSPECT', ['0', '1'] as const, '0') === '1',
  ops: readOpsConfig(env, 9101),
};
const logger = createLogger('worker', infra.logLevel);

runService(logger, async () => {
  env.done();
  const content = await fileContentCatalog(config.contentPath).load();
  const bus = await connectBus(infra.natsUrl, 'worker', logger);
  await ensureTopology(bus.jsm, infra);
  const store = await connectStore(infra.mongoUrl, infra.mongoDb);
  const chats = new CachedChatStore(new MongoChatStore(store.db), config.hotChats);
  const onStep = chaosKill(process.env);
  const registry = createRegistry('worker');
  const metrics = registerWorkerMetrics(registry, chats);
  const consumerMetrics = registerConsumerMetrics(registry, { jsm: bus.jsm, stream: Streams.Events, group: Groups.Worker, partitions: infra.partitions });

  const meter = portMeter(registry, logger);
  const billing = meter('billing', createHttpBillingGateway({ baseUrl: config.billingUrl, timeoutMs: config.externalTimeoutMs }));
  const sms = meter('sms', createHttpSmsGateway({ baseUrl: config.smsUrl, timeoutMs: config.externalTimeoutMs }));
  const orders = new PaymentOrders(store.db);
  const payments = meter('payments', recordingOrders(createHttpPaymentProvider({ baseUrl: config.paymentUrl, timeoutMs: config.externalTimeoutMs }), orders));
  const verification = new StoredPhoneVerification(store.db, { billing, sms, secret: config.smsCodeSecret });
  const base = chatDialogue(content);
  const dialogue = { ...base, machine: provideEffects(base.machine, { billing, verification, payments }) };

  async function handle(msg: JsMsg): Promise<Outcome> {
    const correlationId = msg.headers?.get(Headers.CorrelationId) || `seq-${msg.seq}`;
    const event = msg.json<ChatEvent>();
    const turnLogger = logger.child({ correlationId, chat: chatTag(event.chatId), seq: msg.seq });
    if (event.kind === 'payment') {
      const verdict = await orders.settle(event, msg.seq);
      if (!verdict.ok) {
        turnLogger.warn({ reason: verdict.reason }, 'payment notice refused');
        return 'ack';
      }
    }
    const started = performance.now();
    const deps = {
      store: chats,
      dialogue,
      publishReplies: (replies: OutboundReply[]) => publishReplies(bus.js, infra.partitions, replies, correlationId),
      turnTimeoutMs: config.turnTimeoutMs,
      inspect: config.inspect ? inspectorFor(bus.nc, event.chatId) : undefined,
      onStep,
    };
    const apply = () => applyChatEvent(deps, event, msg.seq, turnLogger);
    const outcome = await inTurn(turnLogger, () => meteredTurn(metrics, apply)).catch((error: unknown) => {
      chats.forget(event.chatId);
      throw error;
    });
    turnLogger.info({ kind: event.kind, outcome, ms: Math.round(performance.now() - started) }, 'turn');
    return 'ack';
  }

  const consumer = await consumePartitions({
    js: bus.js,
    stream: Streams.Events,
    group: Groups.Worker,
    settings: infra,
    logger,
    handle,
    onDeadLetter: consumerMetrics.deadLettered,
  });
  const ops = await startOpsServer(config.ops, { registry, checks: [natsReady(bus.nc), storeReady(store.db)], logger });
  return {
    async stop() {
      await ops.close();
      await consumer.stop();
      await bus.close();
      await store.close();
    },
  };
});
