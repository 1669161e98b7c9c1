import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { channelOf, Channels, type Channel } from '../../shared/contracts/channel.js';
import { chatTag, type Logger } from '../../shared/ops/logger.js';
import { WebhookRefused, type ChatLink, type SimulatedCustomer } from './chat-link.js';
import type { InspectionLog } from './inspection-feed.js';
import type { DiagramScope, DiagramView } from './machine-diagram.js';
import { staticAssets } from './static-assets.js';

export interface SimulatorOptions {
  /** How a customer reaches the stack, per messenger: Viber always, Telegram when the stack has it. */
  links: { viber: ChatLink } & Partial<Record<Channel, ChatLink>>;
  /** The reference systems, for the SMS outbox a developer reads the codes from. */
  referenceUrl: string;
  inspections: InspectionLog;
  /** The chat machine's diagram with the given state value highlighted. */
  diagram(state: unknown, scope: DiagramScope): DiagramView;
  /** Puts a reading-reminder tick on the bus for the given day (YYYY-MM-DD), as the daily cron does. */
  remind?(day: string): Promise<void>;
  logger: Logger;
}

/**
 * The chat ids the page may name. Viber's user ids are base64-like, and the page makes its own of
 * the same alphabet; a Telegram chat's is `tg:` and the user's numeric id.
 */
const CHAT_IDS: Readonly<Record<Channel, RegExp>> = {
  viber: /^[A-Za-z0-9+/=_-]{1,64}$/,
  telegram: /^tg:[1-9]\d{0,15}$/,
};
const MAX_TEXT = 7_000;
const MAX_NAME = 28;
const PHONE = /^\+?[\d\s()-]{10,20}$/;

const seqParam = (value: unknown) => (typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : 0);
const textParam = (value: unknown, max: number) =>
  typeof value === 'string' && value.trim() !== '' && value.length <= max ? value : undefined;

/**
 * The simulator: the phone-like page (public/) and its API. The page is a customer in Viber or
 * Telegram; the API plays the messenger for it, shows the SMS outbox, and the chat machine's live
 * state. Every customer route names the chat by its id, which says the messenger.
 */
export function buildSimulator(options: SimulatorOptions): FastifyInstance {
  const { logger } = options;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
  });

  app.register(staticAssets());

  /**
   * The customer named in the path, with the name the page gives it (messengers send it with each
   * event), and the link to its messenger; undefined for a bad id or a messenger not wired here.
   */
  const customerOf = (params: unknown, body: unknown): { customer: SimulatedCustomer; link: ChatLink } | undefined => {
    const id = (params as { id?: string }).id;
    if (typeof id !== 'string') return undefined;
    const channel = channelOf(id);
    const link = options.links[channel];
    if (!link || !CHAT_IDS[channel].test(id)) return undefined;
    return { customer: { id, name: textParam((body as { name?: unknown } | null)?.name, MAX_NAME) ?? 'Клиент' }, link };
  };
  const BAD_CUSTOMER = 'bad customer id, or its messenger is not wired here';

  /** Ingress refusing or not answering is what the developer needs to see, not a 500. */
  const relay = async (reply: FastifyReply, action: () => Promise<unknown>) => {
    try {
      return reply.send((await action()) ?? { ok: true });
    } catch (error) {
      const status = error instanceof WebhookRefused ? error.status : undefined;
      logger.warn({ err: error, status }, 'could not reach the stack');
      return reply.code(502).send({ error: error instanceof Error ? error.message : String(error) });
    }
  };

  /** The messengers the page may open a customer in. */
  app.get('/api/channels', async () => ({ channels: Channels.filter((channel) => options.links[channel]) }));

  app.post('/api/customers/:id/open', async (request, reply) => {
    const chat = customerOf(request.params, request.body);
    if (!chat) return reply.code(400).send({ error: BAD_CUSTOMER });
    return relay(reply, async () => ({ welcome: await chat.link.open(chat.customer) }));
  });

  app.post('/api/customers/:id/text', async (request, reply) => {
    const chat = customerOf(request.params, request.body);
    const text = textParam((request.body as { text?: unknown } | null)?.text, MAX_TEXT);
    if (!chat || text === undefined)
      return reply.code(400).send({ error: `expected a customer id and {text} of 1..${MAX_TEXT} characters` });
    return relay(reply, () => chat.link.text(chat.customer, text));
  });

  app.post('/api/customers/:id/contact', async (request, reply) => {
    const chat = customerOf(request.params, request.body);
    const phone = (request.body as { phone?: unknown } | null)?.phone;
    if (!chat || typeof phone !== 'string' || !PHONE.test(phone))
      return reply.code(400).send({ error: 'expected a customer id and {phone}' });
    return relay(reply, () => chat.link.contact(chat.customer, phone));
  });

  app.get('/api/customers/:id/messages', async (request, reply) => {
    const chat = customerOf(request.params, null);
    if (!chat) return reply.code(400).send({ error: BAD_CUSTOMER });
    const after = seqParam((request.query as { after?: unknown }).after);
    return relay(reply, () => chat.link.messages(chat.customer.id, after));
  });

  app.get('/api/customers/:id/inspection', async (request, reply) => {
    const chat = customerOf(request.params, null);
    if (!chat) return reply.code(400).send({ error: BAD_CUSTOMER });
    // The workers name chats by tag: the id itself never travels on the inspection subjects.
    return options.inspections.since(chatTag(chat.customer.id), seqParam((request.query as { after?: unknown }).after));
  });

  app.get('/api/diagram', async (request, reply) => {
    const { state, scope } = request.query as { state?: unknown; scope?: unknown };
    let value: unknown;
    try {
      value = typeof state === 'string' && state !== '' ? JSON.parse(state) : undefined;
    } catch {
      return reply.code(400).send({ error: 'state must be a JSON state value' });
    }
    return options.diagram(value, scope === 'section' ? 'section' : 'all');
  });

  // The demo accounts take readings any day, so their window opens on the 1st: the tick says it is that day.
  app.post('/api/reminders/tick', async (_request, reply) => {
    if (!options.remind) return reply.code(404).send({ error: 'reminders are not wired here' });
    const day = `${new Date().toISOString().slice(0, 7)}-01`;
    return relay(reply, async () => (await options.remind!(day), { day }));
  });

  app.get('/api/sms', async (request, reply) =>
    relay(reply, async () => {
      const response = await fetch(
        `${options.referenceUrl}/sms/outbox?after=${seqParam((request.query as { after?: unknown }).after)}`,
      );
      if (!response.ok) throw new Error(`the SMS outbox answered ${response.status}`);
      return response.json();
    }),
  );

  return app;
}
