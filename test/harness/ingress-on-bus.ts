import { afterAll, beforeAll } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { partitionOf, Streams, type Bus } from '../../shared/bus/bus.js';
import { ensureTopology, publishChatEvent } from '../../shared/bus/chat-bus.js';
import type { ChatEvent } from '../../shared/contracts/chat-event.js';
import { buildIngress, type IngressOptions } from '../../services/ingress/index.js';
import { freshBus, testLogger } from './infra.js';

const PARTITIONS = 4;

/**
 * The ingress app of a test suite over a real JetStream (fresh for the suite), built in beforeAll
 * and closed in afterAll. `busDown()` makes every publish fail as a disconnected client's does,
 * until `busUp()`.
 */
export function ingressOnBus(options: Partial<IngressOptions> = {}) {
  let bus: Bus;
  let app: FastifyInstance;
  let up = true;
  beforeAll(async () => {
    bus = await freshBus();
    await ensureTopology(bus.jsm, { partitions: PARTITIONS, replicas: 1, ackWaitMs: 30_000 });
    app = buildIngress({
      authToken: 'ingress-test-token',
      paymentSecret: 'payment-secret',
      sender: { name: 'Бот' },
      logger: testLogger,
      publish: (event, correlationId) =>
        up
          ? publishChatEvent(bus.js, PARTITIONS, event, correlationId)
          : Promise.reject(new Error('nats: disconnected')),
      ...options,
    });
  });
  afterAll(async () => {
    await app?.close();
    await bus?.close();
  });
  return {
    app: () => app,
    bus: () => bus,
    busDown: () => void (up = false),
    busUp: () => void (up = true),
    /** Events stored in the stream so far. */
    stored: async () => (await bus.jsm.streams.info(Streams.Events.name)).state.messages,
    /** The last event stored for a chat. */
    lastEventOf: async (chatId: string) =>
      (
        await bus.jsm.streams.getMessage(Streams.Events.name, {
          last_by_subj: `chat.events.${partitionOf(chatId, PARTITIONS)}`,
        })
      )?.json<ChatEvent>(),
  };
}
