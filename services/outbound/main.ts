import type { JsMsg } from '@nats-io/jetstream';
import { connectBus, Headers, Streams } from '../../shared/bus/bus.js';
import { ensureTopology, Groups } from '../../shared/bus/chat-bus.js';
import { readConfig, readInfraConfig } from '../../shared/ops/config.js';
import { chatTag, createLogger } from '../../shared/ops/logger.js';
import { consumePartitions, type Outcome } from '../../shared/bus/partitioned-consumer.js';
import type { OutboundReply } from '../../shared/contracts/reply.js';
import { runService } from '../../shared/ops/service.js';
import { createViberBotApi } from '../../shared/viber/api.js';
import { readViberConfig } from '../../shared/viber/config.js';
import { SUBSCRIBED_EVENT_TYPES } from '../../shared/viber/types.js';
import { chaosKill } from '../../shared/testing/chaos.js';
import { registerConsumerMetrics, sharedConsumers } from '../../shared/bus/consumer-metrics.js';
import { createRegistry } from '../../shared/ops/metrics.js';
import { readOpsConfig, startOpsServer } from '../../shared/ops/ops-server.js';
import { natsReady, viberConfigured, watchNatsLink } from '../../shared/ops/readiness.js';
import { readOutboundSettings } from './config.js';
import { deliverReply, type DeliverDeps } from './deliver.js';
import { meteredSend } from './metered-viber-api.js';
import { registerOutboundMetrics } from './metrics.js';
import { natsParkedChats } from './parked-chats.js';
import { parking } from './parking.js';
import { natsSentReplies } from './sent-replies.js';
import { timedSend } from './viber-send.js';

const env = readConfig();
const infra = readInfraConfig(env);
const viber = readViberConfig(env);
const settings = readOutboundSettings(env);
const ops = readOpsConfig(env, 9102);
const logger = createLogger('outbound', infra.logLevel);

/** A reply as it came off the bus, or why it is not one (filed at once: it will never be one). */
function readReply(msg: JsMsg): OutboundReply | string {
  try {
    const outbound = msg.json<OutboundReply>();
    const valid = typeof outbound?.id === 'string' && typeof outbound.chatId === 'string';
    return valid && typeof outbound.reply === 'object' ? outbound : 'bad data: not a reply';
  } catch {
    return 'bad data: not JSON';
  }
}

runService(logger, async () => {
  env.done();
  const bus = await connectBus(infra.natsUrl, 'outbound', logger);
  await ensureTopology(bus.jsm, infra);
  const registry = createRegistry('outbound');
  const consumerMetrics = registerConsumerMetrics(registry, {
    jsm: bus.jsm,
    stream: Streams.Replies,
    group: Groups.Outbound,
    consumers: sharedConsumers(Groups.Outbound, infra.partitions),
  });
  // The API waits at most the longest attempt; each attempt sets its own, shorter, timeout.
  const timeoutMs = settings.viberTimeoutMaxMs;
  const api = createViberBotApi({ ...viber, eventTypes: SUBSCRIBED_EVENT_TYPES, timeoutMs });
  const parked = await natsParkedChats(bus.js, infra.replicas);
  const outboundMetrics = registerOutboundMetrics(registry, parked);
  const deps: DeliverDeps = {
    send: meteredSend(timedSend(api), registry),
    sender: viber.sender,
    sent: await natsSentReplies(bus.js, infra.replicas),
    onSent: chaosKill(process.env),
    parking: parking({ js: bus.js, jsm: bus.jsm, parked, group: Groups.Outbound }),
    policy: settings,
    onExpired: outboundMetrics.expired,
  };

  const handle = async (msg: JsMsg): Promise<Outcome> => {
    const outbound = readReply(msg);
    if (typeof outbound === 'string') return { deadLetter: outbound };
    const correlationId = msg.headers?.get(Headers.CorrelationId) || `seq-${msg.seq}`;
    const ageMs = Date.now() - msg.info.timestampNanos / 1e6;
    const log = logger.child({ correlationId, chat: chatTag(outbound.chatId), seq: msg.seq });
    return deliverReply(deps, { msg, outbound, deliveries: msg.info.deliveryCount, ageMs }, log);
  };
  const consumer = await consumePartitions({
    js: bus.js,
    stream: Streams.Replies,
    group: Groups.Outbound,
    settings: { ...infra, retryMaxMs: settings.retryMaxMs },
    logger,
    handle,
    fileDeadLetter: deps.parking.fileHead,
    onDeadLetter: consumerMetrics.deadLettered,
  });
  const checks = [natsReady(bus.nc, watchNatsLink(bus.nc)), viberConfigured(viber)];
  const opsServer = await startOpsServer(ops, { registry, checks, logger });
  return {
    async stop() {
      await opsServer.close();
      await consumer.stop();
      await bus.close();
    },
  };
});
