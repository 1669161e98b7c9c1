import { randomUUID } from 'node:crypto';
import { fileContentCatalog } from '../../shared/adapters/file-content-catalog.js';
import { MongoChatStore } from '../../shared/adapters/mongo-chat-store.js';
import { natsChatSettings } from '../../shared/adapters/nats-chat-settings.js';
import { Streams } from '../../shared/bus/bus.js';
import { Groups, publishReplies } from '../../shared/bus/chat-bus.js';
import { registerConsumerMetrics } from '../../shared/bus/consumer-metrics.js';
import { natsReady, storeReady } from '../../shared/ops/readiness.js';
import { bootService } from '../../shared/ops/service.js';
import { meterStoreCommands } from '../../shared/store/command-metrics.js';
import { connectStore } from '../../shared/store/mongo.js';
import { chaosKill } from '../../shared/testing/chaos.js';
import { chatDialogue } from '../../machines/dialogue.js';
import { chatActorDeps } from './actors/actor-deps.js';
import { ChatActors, passivateIdleActors } from './actors/chat-actors.js';
import { chatOf, turnHandler } from './actors/turn-handler.js';
import { readWorkerSettings, type WorkerSettings } from './config.js';
import { effectRunner } from './effects/effects.js';
import { externalPorts } from './effects/external-ports.js';
import { portMeter } from './effects/metered-ports.js';
import { registerWorkerMetrics } from './metrics.js';
import { startPartitionOwnership, type PartitionOwnership } from './ownership/index.js';
import { countedChanges } from './partitions/counted-changes.js';
import { partitionHost } from './partitions/partition-host.js';
import { settlingPaymentNotices } from './payments/payment-notices.js';
import { startTimersAndReminders } from './reminders/wiring.js';

const workerId = `worker-${randomUUID().slice(0, 8)}`;
const loadContent = (config: WorkerSettings) => fileContentCatalog(config.contentPath).load();

bootService(
  { name: 'worker', settings: readWorkerSettings, opsPort: 9101, prepare: loadContent },
  async ({ settings: config, infra, prepared: content, logger, bus, registry, serveOps }) => {
    const store = await connectStore(infra.mongoUrl, infra.mongoDb);
    meterStoreCommands(store.client, registry);
    const chats = new MongoChatStore(store.db);
    const settings = await natsChatSettings(bus.js, infra.replicas);
    const { ports, orders } = externalPorts(config, store.db, portMeter(registry, logger));
    const timing = await startTimersAndReminders({
      bus,
      ...infra,
      billing: ports.billing,
      reminderSchedule: config.reminderSchedule,
      reminderRate: config.reminderRate,
      registry,
      logger,
    });

    // Until ownership has started, this worker holds no lease.
    let ownership: PartitionOwnership | undefined = undefined;
    const actors = new ChatActors({
      capacity: config.liveChats,
      idleMs: config.passivateAfterMs,
      depsFor: chatActorDeps({
        shared: {
          dialogue: chatDialogue(content),
          store: chats,
          runEffect: effectRunner(ports, config.turnTimeoutMs),
          publishReplies: (replies, correlationId) => publishReplies(bus.js, infra.partitions, replies, correlationId),
          now: Date.now,
          onStep: chaosKill(process.env),
        },
        leaseOf: (partition) => host.lease(partition),
        holds: (lease) => ownership?.holds(lease) ?? false,
        settings,
        logger,
        inspection: config.inspect ? bus.nc : undefined,
        more: timing.depsFor,
      }),
    });
    const metrics = registerWorkerMetrics(registry, {
      actors,
      ownedPartitions: () => ownership?.owned().length ?? 0,
      ownershipChanges: () => changes.changes(),
    });
    const host = partitionHost({
      js: bus.js,
      jsm: bus.jsm,
      group: Groups.Worker,
      actors,
      settings: { ...infra, inFlight: config.partitionInFlight },
      logger,
      chatOf,
      handle: turnHandler({ logger, metrics, admit: settlingPaymentNotices(orders) }),
      onDeadLetter: () => consumerMetrics.deadLettered(),
    });
    const changes = countedChanges(host);
    const consumerMetrics = registerConsumerMetrics(registry, {
      jsm: bus.jsm,
      stream: Streams.Events,
      group: Groups.Worker,
      consumers: host.consumers,
    });
    ownership = await startPartitionOwnership({
      nc: bus.nc,
      workerId,
      partitions: infra.partitions,
      leaseTtlMs: config.leaseTtlMs,
      replicas: infra.replicas,
      logger,
      onGained: changes.onGained,
      onReleasing: changes.onReleasing,
      onLost: changes.onLost,
    });
    const stopPassivating = passivateIdleActors(actors, config.passivateAfterMs);
    await serveOps([natsReady(bus.nc), storeReady(store.db)]);
    logger.info({ workerId }, 'worker ready');
    return {
      async stop() {
        stopPassivating();
        await timing.stop();
        // Hands every partition over: the turns in hand finish, the rest goes to the next owner.
        await ownership?.stop();
      },
      disconnect: () => store.close(),
    };
  },
);
