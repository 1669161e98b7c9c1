import type { JsMsg } from '@nats-io/jetstream';
import { Streams } from '../../shared/bus/bus.js';
import { correlationIdOf, Groups } from '../../shared/bus/chat-bus.js';
import type { ConfigReader } from '../../shared/ops/config.js';
import { chatTag } from '../../shared/ops/logger.js';
import { consumePartitions, type Outcome } from '../../shared/bus/partitioned-consumer.js';
import { parseOutboundReply } from '../../shared/contracts/reply.js';
import { bootService } from '../../shared/ops/service.js';
import { readViberConfig } from '../../shared/viber/config.js';
import { chaosKill } from '../../shared/testing/chaos.js';
import { registerConsumerMetrics, sharedConsumers } from '../../shared/bus/consumer-metrics.js';
import { natsReady, viberConfigured, watchNatsLink } from '../../shared/ops/readiness.js';
import { readOutboundSettings } from './config.js';
import { messengerSenders } from './messenger-senders.js';
import { deliverReply, type DeliverDeps } from './deliver.js';
import { registerOutboundMetrics } from './metrics.js';
import { natsParkedChats } from '../../shared/adapters/nats-parked-chats.js';
import { parking } from './parking.js';
import { natsSentReplies } from '../../shared/adapters/nats-sent-replies.js';
import { readTelegramConfig } from '../../shared/telegram/config.js';

const readSettings = (env: ConfigReader) => ({
  viber: readViberConfig(env),
  telegram: readTelegramConfig(env),
  delivery: readOutboundSettings(env),
});

bootService(
  { name: 'outbound', settings: readSettings, opsPort: 9102 },
  async ({ settings: { viber, telegram, delivery }, infra, logger, bus, registry, serveOps }) => {
    const consumerMetrics = registerConsumerMetrics(registry, {
      jsm: bus.jsm,
      stream: Streams.Replies,
      group: Groups.Outbound,
      consumers: sharedConsumers(Groups.Outbound, infra.partitions),
    });
    // The API waits at most the longest attempt; each attempt sets its own, shorter, timeout.
    const timeoutMs = delivery.sendTimeoutMaxMs;
    const parked = await natsParkedChats(bus.js, infra.replicas);
    const sent = await natsSentReplies(bus.js, infra.replicas);
    const outboundMetrics = registerOutboundMetrics(registry, parked);
    const deps: DeliverDeps = {
      send: messengerSenders({ viber, telegram, sent, timeoutMs, registry }),
      sent,
      onSent: chaosKill(process.env),
      parking: parking({ js: bus.js, jsm: bus.jsm, parked, group: Groups.Outbound }),
      policy: delivery,
      onExpired: outboundMetrics.expired,
      onReminderDropped: outboundMetrics.reminderDropped,
    };

    const handle = async (msg: JsMsg): Promise<Outcome> => {
      deps.parking.handed(msg);
      const outbound = parseOutboundReply(msg.data);
      // Filed at once: it will never be a reply.
      if (!outbound) return { deadLetter: 'bad data: not a reply' };
      const correlationId = correlationIdOf(msg);
      const log = logger.child({ correlationId, chat: chatTag(outbound.chatId), seq: msg.seq });
      const hand = { msg, outbound, deliveries: msg.info.deliveryCount, storedAt: msg.info.timestampNanos / 1e6 };
      return deliverReply(deps, hand, log);
    };
    const consumer = await consumePartitions({
      js: bus.js,
      stream: Streams.Replies,
      group: Groups.Outbound,
      settings: { ...infra, retryMaxMs: delivery.retryMaxMs },
      logger,
      handle,
      fileDeadLetter: deps.parking.fileHead,
      onDeadLetter: consumerMetrics.deadLettered,
    });
    await serveOps([natsReady(bus.nc, watchNatsLink(bus.nc)), viberConfigured(viber)]);
    return {
      async stop() {
        await consumer.stop();
      },
    };
  },
);
