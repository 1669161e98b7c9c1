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
import { deliverReply } from './deliver.js';
import { natsSentReplies } from './sent-replies.js';

const env = readConfig();
const infra = readInfraConfig(env);
const viber = readViberConfig(env);
const config = {
  viberTimeoutMs: env.int('VIBER_TIMEOUT_MS', 10_000, { min: 100 }),
};
const logger = createLogger('outbound', infra.logLevel);

runService(logger, async () => {
  env.done();
  const bus = await connectBus(infra.natsUrl, 'outbound', logger);
  await ensureTopology(bus.jsm, infra);
  const api = createViberBotApi({ ...viber, eventTypes: SUBSCRIBED_EVENT_TYPES, timeoutMs: config.viberTimeoutMs });
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
    partitions: infra.partitions,
    logger,
    handle,
    maxDeliveries: infra.maxDeliveries,
    retryBaseMs: infra.retryBaseMs,
  });
  return {
    async stop() {
      await consumer.stop();
      await bus.close();
    },
  };
});
