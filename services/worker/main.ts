import type { JsMsg } from '@nats-io/jetstream';
import { connectBus, Headers, Streams } from '../../shared/bus.js';
import { ensureTopology, Groups, publishReplies } from '../../shared/chat-bus.js';
import type { ChatEvent } from '../../shared/chat-event.js';
import { readConfig, readInfraConfig } from '../../shared/config.js';
import { chatTag, createLogger } from '../../shared/logger.js';
import { connectStore } from '../../shared/mongo.js';
import { consumePartitions, type Outcome } from '../../shared/partitioned-consumer.js';
import { runService } from '../../shared/service.js';
import { chatDialogue } from '../../machines/dialogue.js';
import { applyChatEvent } from './apply-event.js';
import { MongoChatStore } from './chat-store.js';

const env = readConfig();
const infra = readInfraConfig(env);
const config = {
  turnTimeoutMs: env.int('TURN_TIMEOUT_MS', 10_000, { min: 100 }),
};
const logger = createLogger('worker', infra.logLevel);

runService(logger, async () => {
  env.done();
  const bus = await connectBus(infra.natsUrl, 'worker', logger);
  await ensureTopology(bus.jsm, infra);
  const store = await connectStore(infra.mongoUrl, infra.mongoDb);
  const chats = new MongoChatStore(store.db);

  async function handle(msg: JsMsg): Promise<Outcome> {
    const correlationId = msg.headers?.get(Headers.CorrelationId) || `seq-${msg.seq}`;
    const event = msg.json<ChatEvent>();
    const turnLogger = logger.child({ correlationId, chat: chatTag(event.chatId), seq: msg.seq });
    const started = performance.now();
    const outcome = await applyChatEvent(
      {
        store: chats,
        dialogue: chatDialogue,
        publishReplies: (replies) => publishReplies(bus.js, infra.partitions, replies, correlationId),
        turnTimeoutMs: config.turnTimeoutMs,
      },
      event,
      msg.seq,
      turnLogger,
    );
    turnLogger.info({ kind: event.kind, outcome, ms: Math.round(performance.now() - started) }, 'turn');
    return 'ack';
  }

  const consumer = await consumePartitions({ js: bus.js, stream: Streams.Events, group: Groups.Worker, partitions: infra.partitions, logger, handle });
  return {
    async stop() {
      await consumer.stop();
      await bus.close();
      await store.close();
    },
  };
});
