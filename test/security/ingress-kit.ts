import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Streams, type Bus } from '../../shared/bus/bus.js';
import type { ChatEvent } from '../../shared/contracts/chat-event.js';
import { ensureTopology, publishChatEvent } from '../../shared/bus/chat-bus.js';
import { createLogger } from '../../shared/ops/logger.js';
import { signViberBody, SIGNATURE_HEADER } from '../../shared/viber/signature.js';
import { buildIngress, WEBHOOK_PATH, type IngressOptions } from '../../services/ingress/index.js';
import { freshBus } from '../harness/infra.js';

export const AUTH_TOKEN = 'security-test-bot-token-4a1f';
const PARTITIONS = 2;

/** Every line a logger wrote, as text and parsed. */
export function capturingLogger(service = 'ingress') {
  const lines: string[] = [];
  const stream = new Writable({ write: (chunk, _encoding, done) => done(void lines.push(String(chunk))) });
  return {
    logger: createLogger(service, 'trace', stream),
    lines,
    parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/**
 * Ingress on a real JetStream with a capturing logger; `published` keeps every event it put on
 * the bus, `stored()` counts what the stream holds, and `busUp = false` makes publishing fail.
 */
export async function startIngress(options: Partial<IngressOptions> = {}) {
  const bus: Bus = await freshBus();
  await ensureTopology(bus.jsm, { partitions: PARTITIONS, replicas: 1, ackWaitMs: 30_000 });
  const logs = capturingLogger();
  const published: ChatEvent[] = [];
  const outage = { busUp: true };
  const app: FastifyInstance = buildIngress({
    authToken: AUTH_TOKEN,
    paymentSecret: 'security-test-payment-secret',
    sender: { name: 'Бот' },
    logger: logs.logger,
    publish: async (event, correlationId) => {
      if (!outage.busUp) throw new Error('nats: disconnected');
      published.push(event);
      return publishChatEvent(bus.js, PARTITIONS, event, correlationId);
    },
    ...options,
  });

  /** Posts `body` signed with the bot's token unless another signature (or none: null) is given. */
  const post = (
    body: string | Buffer,
    signature: string | string[] | null = signViberBody(body, AUTH_TOKEN),
    headers: Record<string, string> = { 'content-type': 'application/json' },
  ) =>
    app.inject({
      method: 'POST',
      url: WEBHOOK_PATH,
      headers: { ...headers, ...(signature === null ? {} : { [SIGNATURE_HEADER]: signature }) },
      payload: body,
    });

  return {
    app,
    bus,
    outage,
    logs,
    published,
    post,
    stored: async () => (await bus.jsm.streams.info(Streams.Events.name)).state.messages,
    async stop() {
      await app.close();
      await bus.close();
    },
  };
}

export type RunningIngress = Awaited<ReturnType<typeof startIngress>>;
