import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from '../../shared/ops/logger.js';
import type { ViberApi } from '../../shared/ports/viber-api.js';
import { readViberCallback } from '../../shared/viber/read-callback.js';
import { renderViberMessage, type ViberSender } from '../../shared/viber/render.js';
import { SIGNATURE_HEADER } from '../../shared/viber/signature.js';
import type { Dialogue } from '../../machines/dialogue.js';
import { WEBHOOK_PATH } from '../../services/ingress/index.js';
import { createLimiter } from './limiter.js';
import { ChatActor, type ChatActorDeps, type ChatStore } from '../../services/worker/index.js';

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
  /** Live chat actors kept at most, as the worker's HOT_CHATS: the least recently used idle ones go. */
  liveChats: number;
}

interface LiveChat {
  actor: ChatActor;
  /** The chat's mailbox: a callback Viber sends again while the first is running waits its turn. */
  tail: Promise<unknown>;
  queued: number;
}

/** One live actor per chat, as in a worker, each running its turns one at a time. */
function liveChats(capacity: number, deps: Omit<ChatActorDeps, 'fence'>) {
  const chats = new Map<string, LiveChat>();
  return <T>(chatId: string, job: (actor: ChatActor) => Promise<T>): Promise<T> => {
    const fresh = (): LiveChat => ({
      // No fence: this process is the only one and never loses a chat.
      actor: new ChatActor(chatId, { ...deps, fence() {} }),
      tail: Promise.resolve(),
      queued: 0,
    });
    const chat = chats.get(chatId) ?? fresh();
    // Re-inserted on each use: the Map's first entries are the least recently used.
    chats.delete(chatId);
    chats.set(chatId, chat);
    chat.queued++;
    for (const [id, other] of chats) {
      if (chats.size <= capacity) break;
      if (other.queued === 0) chats.delete(id);
    }
    const run = chat.tail.then(() => job(chat.actor)).finally(() => chat.queued--);
    chat.tail = run.catch(() => undefined);
    return run;
  };
}

/**
 * The whole bot in one process, with no bus: check the signature, give the event to the chat's live
 * actor (which saves the new state), send the replies to Viber, then answer 200. The same chat
 * actor as the worker, so the ratio to the pipeline is the price of the bus and the extra processes.
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
  const inChat = liveChats(deps.liveChats, {
    store: deps.store,
    dialogue: deps.dialogue,
    // The bus's place: straight to Viber, in order, before the webhook is answered.
    publishReplies: async (replies) => {
      for (const outbound of replies)
        await deps.viber.sendMessage(renderViberMessage(outbound.reply, deps.sender, outbound.chatId));
    },
    // The benchmark's script asks for no billing or SMS; anything else is told they are away.
    runEffect: async (effect) => ({ ok: false, error: { message: `the baseline runs no "${effect.src}"` } }),
    now: Date.now,
  });

  app.post(WEBHOOK_PATH, async (request, reply) => {
    const raw = request.body as Buffer;
    const reading = readViberCallback(raw, request.headers[SIGNATURE_HEADER] as string | undefined, deps.authToken);
    if (!reading.ok) return reply.code(reading.reason === 'bad-signature' ? 403 : 400).send({ error: reading.detail });
    if (reading.event === null) return { status: 0 };
    const { event } = reading;
    const seq = unfinished.get(event.id) ?? ++sequence;
    unfinished.set(event.id, seq);
    const turn = { logger: deps.logger, correlationId: event.id };
    await inChat(event.chatId, (actor) => inTurn(() => actor.handle(event, seq, turn)));
    unfinished.delete(event.id);
    return { status: 0 };
  });
  return app;
}
