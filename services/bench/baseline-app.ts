import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from '../../shared/logger.js';
import type { ViberApi } from '../../shared/viber/api.js';
import { parseExactJson } from '../../shared/viber/exact-json.js';
import { readViberCallback } from '../../shared/viber/callback-fields.js';
import { renderViberMessage, type ViberSender } from '../../shared/viber/render.js';
import { isValidViberSignature, SIGNATURE_HEADER } from '../../shared/viber/signature.js';
import { isReceipt, toChatEvent } from '../../shared/viber/to-chat-event.js';
import type { Dialogue } from '../../machines/dialogue.js';
import { WEBHOOK_PATH } from '../ingress/app.js';
import { createLimiter } from './limiter.js';
import { applyChatEvent, type ApplyEventDeps } from '../worker/apply-event.js';
import type { ChatStore } from '../worker/chat-store.js';

/** A webhook that answers 200 with nothing behind it: the ceiling of fastify and the HTTP client. */
export function buildEmptyWebhook(): FastifyInstance {
  const app = Fastify({ logger: false });
  app.post(WEBHOOK_PATH, async () => ({ status: 0 }));
  return app;
}

export interface BaselineDeps {
  authToken: string;
  store: ChatStore;
  dialogue: Dialogue;
  viber: ViberApi;
  sender: ViberSender;
  logger: Logger;
  /**
   * Turns run at once; the pipeline runs one per partition, so the same number keeps the store's
   * load comparable (more only queues inside the store driver and times out).
   */
  turnConcurrency: number;
}

/**
 * The whole bot in one process, with no bus: check the signature, load the chat, run the machine,
 * save, send the replies to Viber, then answer 200. The same turn code as the worker, so the ratio
 * to the pipeline is the price of the bus and the extra processes.
 */
export function buildBaseline(deps: BaselineDeps): FastifyInstance {
  const app = Fastify({ logger: false });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  // Numbers events like a stream's sequence does. A callback Viber sends again after a failed
  // answer keeps its number, so its turn, if saved, sends the saved replies instead of none.
  let sequence = 0;
  const unfinished = new Map<string, number>();
  const inTurn = createLimiter(deps.turnConcurrency);
  const turn: ApplyEventDeps = {
    store: deps.store,
    dialogue: deps.dialogue,
    turnTimeoutMs: 10_000,
    // The bus's place: straight to Viber, in order, before the webhook is answered.
    publishReplies: async (replies) => {
      for (const outbound of replies) await deps.viber.sendMessage(renderViberMessage(outbound.reply, deps.sender, outbound.chatId));
    },
  };

  app.post(WEBHOOK_PATH, async (request, reply) => {
    const raw = request.body as Buffer;
    if (!isValidViberSignature(raw, request.headers[SIGNATURE_HEADER] as string | undefined, deps.authToken)) return reply.code(403).send({ error: 'invalid signature' });
    const callback = readViberCallback(parseExactJson(raw.toString('utf8')));
    const event = isReceipt(callback) ? null : toChatEvent(callback);
    if (event === null) return { status: 0 };
    const seq = unfinished.get(event.id) ?? ++sequence;
    unfinished.set(event.id, seq);
    await inTurn(() => applyChatEvent(turn, event, seq, deps.logger));
    unfinished.delete(event.id);
    return { status: 0 };
  });
  return app;
}
