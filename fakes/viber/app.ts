import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../../shared/ops/logger.js';
import { ViberStatus } from '../../shared/viber/types.js';
import { Callbacks, newMessageToken, postCallback } from './callbacks.js';
import { validateSendMessage } from './validate.js';
import {
  playTransportFault,
  registerMessageLog,
  registerScriptedFaults,
  type Outage as MessengerOutage,
  type TransportFault,
} from '../common/messenger-hooks.js';

/** One message the bot sent, as the fake recorded it. */
export interface SentMessage {
  seq: number;
  at: number;
  receiver: string;
  body: Record<string, unknown>;
}

/**
 * A scripted answer for the next send_message calls, to rehearse Viber's failures. `delayMs`
 * answers 504 after the delay without delivering: a gateway that timed out before Viber got it.
 * `slowMs` delivers and answers as usual, only that late: a Viber slower than the bot's timeout.
 */
export type Fault = { status: number } | TransportFault;

/**
 * An outage: until it is ended, every send_message call (or a `share` of them, at random: a Viber
 * that accepts some sends and refuses others) gets `fault`. Scripted faults come first.
 */
export type Outage = MessengerOutage<Fault>;

export interface FakeViberOptions {
  authToken: string;
  logger: Logger;
  accountName?: string;
}

/**
 * A local reference implementation of the part of Viber's REST bot API this product uses:
 * send_message, set_webhook (with Viber's signed check of the new webhook), get_account_info and
 * get_user_details. It answers like Viber (HTTP 200 with a status) and records every accepted
 * message under /_fake/messages for the tests, the simulator and the benchmark. It fails on
 * command: POST /_fake/faults queues answers for the next calls; POST /_fake/outage fails every
 * call (or a share) until DELETE /_fake/outage, and GET /_fake/outage counts the calls.
 */
export function buildFakeViber(options: FakeViberOptions): FastifyInstance {
  const { authToken, logger } = options;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    disableRequestLogging: true,
    bodyLimit: 1024 * 1024,
  });
  let webhook = { url: '', eventTypes: [] as string[] };

  // Keep the raw length: Viber refuses requests over 30 KB.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, { raw: body.length, json: JSON.parse(body as string) });
    } catch {
      done(null, { raw: body.length, json: undefined });
    }
  });

  const ok = (extra: Record<string, unknown> = {}) => ({ status: ViberStatus.Ok, status_message: 'ok', ...extra });
  const refuse = (status: number, message: string) => ({ status, status_message: message });

  app.addHook('preHandler', async (request, reply) => {
    if (!request.url.startsWith('/pa/')) return;
    if (request.headers['x-viber-auth-token'] !== authToken)
      return reply.send(refuse(ViberStatus.InvalidAuthToken, 'invalidAuthToken'));
  });

  const bodyOf = (request: { body: unknown }) => request.body as { raw: number; json: any };
  const faults = registerScriptedFaults<Fault>(app, (request) => bodyOf(request).json);
  const log = registerMessageLog<SentMessage>(app, { query: 'receiver', chatOf: (message) => message.receiver });

  app.post('/pa/send_message', async (request, reply) => {
    const fault = faults.next();
    if (await playTransportFault(fault, reply)) return reply;
    if (fault && 'status' in fault) return refuse(fault.status, 'scripted fault');

    const { raw, json } = bodyOf(request);
    const refusal = validateSendMessage(json, raw);
    if (refusal) {
      logger.warn({ refusal }, 'send_message refused');
      return refuse(refusal.status, refusal.message);
    }
    const { auth_token: _token, ...body } = json;
    log.add({ receiver: json.receiver, body });
    // message_token as a bare integer beyond 2^53, as Viber writes it.
    return reply
      .type('application/json')
      .send(`{"status":0,"status_message":"ok","message_token":${newMessageToken()},"chat_hostname":"SN-FAKE_"}`);
  });

  app.post('/pa/set_webhook', async (request) => {
    const { json } = bodyOf(request);
    const url = typeof json?.url === 'string' ? json.url : '';
    const eventTypes: string[] = Array.isArray(json?.event_types)
      ? json.event_types
      : ['delivered', 'seen', 'failed', 'subscribed', 'unsubscribed', 'conversation_started'];
    if (url !== '') {
      // Viber checks a new webhook with a signed `webhook` event and wants 200 back.
      const check = await postCallback(url, Callbacks.webhookCheck(), authToken).catch((error: Error) => ({
        status: 0,
        body: error.message,
      }));
      if (check.status !== 200) return refuse(ViberStatus.InvalidUrl, `invalidUrl: webhook answered ${check.status}`);
    }
    webhook = { url, eventTypes };
    return ok({ event_types: eventTypes });
  });

  app.post('/pa/get_account_info', async () =>
    ok({
      id: 'pa:fake',
      name: options.accountName ?? 'Иркутскэнергосбыт',
      uri: 'irkutskenergosbyt',
      webhook: webhook.url,
      event_types: webhook.eventTypes,
      subscribers_count: 0,
    }),
  );

  app.post('/pa/get_user_details', async (request) => {
    const id = bodyOf(request).json?.id;
    if (typeof id !== 'string' || id === '') return refuse(ViberStatus.MissingData, 'id is required');
    return ok({
      user: {
        id,
        name: 'Клиент',
        avatar: '',
        country: 'RU',
        language: 'ru',
        primary_device_os: 'Android 14',
        api_version: 10,
        device_type: 'fake',
      },
    });
  });

  // --- For tests and the simulator: not part of Viber's API (and fakes/common/messenger-hooks.ts).
  app.get('/_fake/webhook', async () => webhook);

  return app;
}
