import { randomUUID } from 'node:crypto';
import type { JsMsg } from '@nats-io/jetstream';
import { createHttpBillingGateway } from '../../shared/adapters/billing-http.js';
import { createHttpPaymentProvider } from '../../shared/adapters/payments-http.js';
import { createHttpSmsGateway } from '../../shared/adapters/sms-http.js';
import { connectBus, Headers, Streams } from '../../shared/bus/bus.js';
import { registerConsumerMetrics } from '../../shared/bus/consumer-metrics.js';
import { natsChatSettings } from '../../shared/chat-settings.js';
import { ensureTopology, Groups, publishReplies } from '../../shared/bus/chat-bus.js';
import type { ChatEvent } from '../../shared/contracts/chat-event.js';
import { chaosKill } from '../../shared/testing/chaos.js';
import { fileContentCatalog } from '../../shared/content.js';
import { chatTag, createLogger } from '../../shared/ops/logger.js';
import { createRegistry } from '../../shared/ops/metrics.js';
import { connectStore } from '../../shared/store/mongo.js';
import { startOpsServer } from '../../shared/ops/ops-server.js';
import { natsReady, storeReady } from '../../shared/ops/readiness.js';
import { runService } from '../../shared/ops/service.js';
import { chatDialogue } from '../../machines/dialogue.js';
import { NotOwner, type ChatActor, type ChatActorDeps } from './actors/chat-actor.js';
import { ChatActors } from './actors/chat-actors.js';
import { MongoChatStore } from './chat-store.js';
import { readWorkerConfig } from './config.js';
import { effectRunner } from './effects/effects.js';
import { transitionReporter } from './inspection.js';
import { portMeter } from './effects/metered-ports.js';
import { meteredTurn, registerWorkerMetrics } from './metrics.js';
import { startPartitionOwnership, type PartitionOwnership } from './ownership/index.js';
import { partitionHost } from './partitions/partition-host.js';
import { PaymentOrders, recordingOrders } from './payments/payment-orders.js';
import { StoredPhoneVerification } from './verification/phone-verification.js';
import { inTurn } from './effects/turn-context.js';

const { settings: config, done } = readWorkerConfig();
const { infra } = config;
const logger = createLogger('worker', infra.logLevel);
const workerId = `worker-${randomUUID().slice(0, 8)}`;

runService(logger, async () => {
  done();
  const content = await fileContentCatalog(config.contentPath).load();
  const bus = await connectBus(infra.natsUrl, 'worker', logger);
  await ensureTopology(bus.jsm, infra);
  const store = await connectStore(infra.mongoUrl, infra.mongoDb);
  const chats = new MongoChatStore(store.db);
  const settings = await natsChatSettings(bus.js, infra.replicas);
  const onStep = chaosKill(process.env);
  const registry = createRegistry('worker');

  const meter = portMeter(registry, logger);
  const billing = meter('billing', createHttpBillingGateway({ baseUrl: config.billingUrl, timeoutMs: config.externalTimeoutMs }));
  const sms = meter('sms', createHttpSmsGateway({ baseUrl: config.smsUrl, timeoutMs: config.externalTimeoutMs }));
  const orders = new PaymentOrders(store.db);
  const payments = meter('payments', recordingOrders(createHttpPaymentProvider({ baseUrl: config.paymentUrl, timeoutMs: config.externalTimeoutMs }), orders));
  const verification = new StoredPhoneVerification(store.db, { billing, sms, secret: config.smsCodeSecret });
  const dialogue = chatDialogue(content);
  const runEffect = effectRunner({ billing, verification, payments }, config.turnTimeoutMs);

  let ownership: PartitionOwnership | undefined;
  let ownershipChanges = 0;
  const actors = new ChatActors({
    capacity: config.liveChats,
    idleMs: config.passivateAfterMs,
    depsFor(chatId, partition): ChatActorDeps {
      // The lease of the term in which the actor was made: a later term makes new actors.
      const lease = host.lease(partition);
      return {
        dialogue,
        store: chats,
        runEffect,
        publishReplies: (replies, correlationId) => publishReplies(bus.js, infra.partitions, replies, correlationId),
        fence() {
          if (!lease || !ownership?.holds(lease)) throw new NotOwner(`partition ${partition} is no longer ours`);
        },
        now: Date.now,
        onStep,
        // Best effort: a welcome in the default colour is no reason to fail a turn.
        onButtonColor: (color) =>
          settings.setButtonColor(chatId, color).catch((error: unknown) => logger.warn({ err: error }, 'could not keep the chat colour for the welcome')),
        onTransition: config.inspect ? transitionReporter(bus.nc, chatId) : undefined,
      };
    },
  });
  const metrics = registerWorkerMetrics(registry, {
    actors,
    ownedPartitions: () => ownership?.owned().length ?? 0,
    ownershipChanges: () => ownershipChanges,
  });

  async function handle(msg: JsMsg, actor: ChatActor): Promise<void> {
    const correlationId = msg.headers?.get(Headers.CorrelationId) || `seq-${msg.seq}`;
    const event = msg.json<ChatEvent>();
    const turnLogger = logger.child({ correlationId, chat: chatTag(event.chatId), seq: msg.seq });
    if (event.kind === 'payment') {
      const verdict = await orders.settle(event, msg.seq);
      if (!verdict.ok) return void turnLogger.warn({ reason: verdict.reason }, 'payment notice refused');
    }
    const started = performance.now();
    const apply = () => actor.handle(event, msg.seq, { logger: turnLogger, correlationId });
    const outcome = await inTurn(turnLogger, () => meteredTurn(metrics, apply));
    turnLogger.info({ kind: event.kind, outcome, ms: Math.round(performance.now() - started) }, 'turn');
  }

  const host = partitionHost({
    js: bus.js,
    jsm: bus.jsm,
    group: Groups.Worker,
    actors,
    settings: { ...infra, inFlight: config.partitionInFlight },
    logger,
    chatOf(msg) {
      try {
        const chatId = msg.json<Partial<ChatEvent>>().chatId;
        return typeof chatId === 'string' ? chatId : undefined;
      } catch {
        return undefined;
      }
    },
    handle,
    onDeadLetter: () => consumerMetrics.deadLettered(),
  });
  const consumerMetrics = registerConsumerMetrics(registry, { jsm: bus.jsm, stream: Streams.Events, group: Groups.Worker, consumers: host.consumers });
  const counted = <A extends unknown[], R>(callback: (...args: A) => R) => (...args: A): R => {
    ownershipChanges++;
    return callback(...args);
  };
  ownership = await startPartitionOwnership({
    nc: bus.nc,
    workerId,
    partitions: infra.partitions,
    leaseTtlMs: config.leaseTtlMs,
    replicas: infra.replicas,
    logger,
    onGained: counted(host.onGained),
    onReleasing: counted(host.onReleasing),
    onLost: counted(host.onLost),
  });
  const passivation = setInterval(() => actors.passivateIdle(), Math.min(60_000, config.passivateAfterMs));
  const ops = await startOpsServer(config.ops, { registry, checks: [natsReady(bus.nc), storeReady(store.db)], logger });
  logger.info({ workerId }, 'worker ready');
  return {
    async stop() {
      clearInterval(passivation);
      await ops.close();
      // Hands every partition over: the turns in hand finish, the rest goes to the next owner.
      await ownership?.stop();
      await bus.close();
      await store.close();
    },
  };
});

