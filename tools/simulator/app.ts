import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { chatTag, type Logger } from '../../shared/ops/logger.js';
import type { InspectionLog } from './inspection-feed.js';
import type { DiagramScope, DiagramView } from './machine-diagram.js';
import { staticAssets } from './static-assets.js';
import { WebhookRefused, type SimulatedCustomer, type ViberLink } from './viber-link.js';

export interface SimulatorOptions {
  link: ViberLink;
  /** The reference systems, for the SMS outbox a developer reads the codes from. */
  referenceUrl: string;
  inspections: InspectionLog;
  /** The chat machine's diagram with the given state value highlighted. */
  diagram(state: unknown, scope: DiagramScope): DiagramView;
  /** Puts a reading-reminder tick on the bus for the given day (YYYY-MM-DD), as the daily cron does. */
  remind?(day: string): Promise<void>;
  logger: Logger;
}

/** Viber's user ids are base64-like; the page makes its own of the same alphabet. */
const CUSTOMER_ID = /^[A-Za-z0-9+/=_-]{1,64}$/;
const MAX_TEXT = 7_000;
const MAX_NAME = 28;
const PHONE = /^\+?[\d\s()-]{10,20}$/;

const seqParam = (value: unknown) => (typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : 0);
const textParam = (value: unknown, max: number) =>
  typeof value === 'string' && value.trim() !== '' && value.length <= max ? value : undefined;

/**
 * The Viber simulator: the phone-like page (public/) and its API. The page is a customer in
 * Viber; the API plays Viber for it, shows the SMS outbox, and the chat machine's live state.
 */
export function buildSimulator(options: SimulatorOptions): FastifyInstance {
  const { link, logger } = options;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
  });

  app.register(staticAssets());

  /** The customer named in the path, with the name the page gives it (Viber sends one with each callback). */
  const customerOf = (params: unknown, body: unknown): SimulatedCustomer | undefined => {
    const id = (params as { id?: string }).id;
    if (typeof id !== 'string' || !CUSTOMER_ID.test(id)) return undefined;
    return { id, name: textParam((body as { name?: unknown } | null)?.name, MAX_NAME) ?? 'Клиент' };
  };

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

  app.post('/api/customers/:id/open', async (request, reply) => {
    const customer = customerOf(request.params, request.body);
    if (!customer) return reply.code(400).send({ error: 'bad customer id' });
    return relay(reply, async () => ({ welcome: await link.open(customer) }));
  });

  app.post('/api/customers/:id/text', async (request, reply) => {
    const customer = customerOf(request.params, request.body);
    const text = textParam((request.body as { text?: unknown } | null)?.text, MAX_TEXT);
    if (!customer || text === undefined)
      return reply.code(400).send({ error: `expected a customer id and {text} of 1..${MAX_TEXT} characters` });
    return relay(reply, () => link.text(customer, text));
  });

  app.post('/api/customers/:id/contact', async (request, reply) => {
    const customer = customerOf(request.params, request.body);
    const phone = (request.body as { phone?: unknown } | null)?.phone;
    if (!customer || typeof phone !== 'string' || !PHONE.test(phone))
      return reply.code(400).send({ error: 'expected a customer id and {phone}' });
    // Viber sends the number as the phone's book has it, digits with the country code.
    return relay(reply, () => link.contact(customer, phone.replace(/[^\d+]/g, '')));
  });

  app.get('/api/customers/:id/messages', async (request, reply) => {
    const customer = customerOf(request.params, null);
    if (!customer) return reply.code(400).send({ error: 'bad customer id' });
    return relay(reply, () => link.messages(customer.id, seqParam((request.query as { after?: unknown }).after)));
  });

  app.get('/api/customers/:id/inspection', async (request, reply) => {
    const customer = customerOf(request.params, null);
    if (!customer) return reply.code(400).send({ error: 'bad customer id' });
    // The workers name chats by tag: the id itself never travels on the inspection subjects.
    return options.inspections.since(chatTag(customer.id), seqParam((request.query as { after?: unknown }).after));
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
