import type { JsMsg } from '@nats-io/jetstream';
import { connectBus, Headers, Streams } from '../../shared/bus.js';
import { ensureTopology, Groups } from '../../shared/chat-bus.js';
import { readConfig, readInfraConfig } from '../../shared/config.js';
import { chatTag, createLogger } from '../../shared/logger.js';
import { consumePartitions } from '../../shared/partitioned-consumer.js';
import type { OutboundReply } from '../../shared/reply.js';
import { runService } from '../../shared/service.js';
import { createViberBotApi } from '../../shared/viber/api.js';
import { readViberConfig } from '../../shared/viber/config.js';
import { SUBSCRIBED_EVENT_TYPES } from '../../shared/viber/types.js';
import { chaosKill } from '../../shared/chaos.js';
import { registerConsumerMetrics, sharedConsumers } from '../../shared/consumer-metrics.js';
import { createRegistry } from '../../shared/metrics.js';
import { readOpsConfig, startOpsServer } from '../../shared/ops-server.js';
import { natsReady, viberConfigured } from '../../shared/readiness.js';
import { deliverReply } from './deliver.js';
import { meteredViberApi } from './metered-viber-api.js';
import { natsSentReplies } from './sent-replies.js';

const env = readConfig();
const infra = readInfraConfig(env);
const viber = readViberConfig(env);
const config = {
  viberTimeoutMs: env.int('VIBER_TIMEOUT_MS', 10_000, { min: 100 }),
  ops: readOpsConfig(env, 9102),
};
const logger = createLogger('outbound', infra.logLevel);

runService(logger, async () => {
  env.done();
  const bus = await connectBus(infra.natsUrl, 'outbound', logger);
  await ensureTopology(bus.jsm, infra);
  const registry = createRegistry('outbound');
  const consumerMetrics = registerConsumerMetrics(registry, { jsm: bus.jsm, stream: Streams.Replies, group: Groups.Outbound, consumers: sharedConsumers(Groups.Outbound, infra.partitions) });
  const api = meteredViberApi(createViberBotApi({ ...viber, eventTypes: SUBSCRIBED_EVENT_TYPES, timeoutMs: config.viberTimeoutMs }), registry);
  const sent = await natsSentReplies(bus.js, infra.replicas);
  const onSent = chaosKill(process.env);

  const handle = (msg: JsMsg) => {
    const outbound = msg.json<OutboundReply>();
    const correlationId = msg.headers?.get(Headers.CorrelationId) || `seq-${msg.seq}`;
    return deliverReply({ api, sender: viber.sender, sent, onSent }, outbound, logger.child({ correlationId, chat: chatTag(outbound.chatId), seq: msg.seq }));
  };
  const consumer = await consumePartitions({
    js: bus.js,
    stream: Streams.Replies,
    group: Groups.Outbound,
    settings: infra,
    logger,
    handle,
    onDeadLetter: consumerMetrics.deadLettered,
  });
  const ops = await startOpsServer(config.ops, { registry, checks: [natsReady(bus.nc), viberConfigured(viber)], logger });
  return {
    async stop() {
      await ops.close();
      await consumer.stop();
      await bus.close();
    },
  };
});
