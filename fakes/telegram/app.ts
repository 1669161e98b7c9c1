import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { isRecord } from '../../shared/contracts/is-record.js';
import type { Logger } from '../../shared/ops/logger.js';
import { telegramProblems } from '../../shared/telegram/limits.js';
import { TELEGRAM_SEND_METHODS, type TelegramSendMethod, type TelegramUser } from '../../shared/telegram/types.js';
import {
  playTransportFault,
  registerMessageLog,
  registerScriptedFaults,
  type TransportFault,
} from '../common/messenger-hooks.js';

/** One call the bot sent, as the fake recorded it. `chatId` is Telegram's id of the chat, as text. */
export interface SentCall {
  seq: number;
  at: number;
  chatId: string;
  method: TelegramSendMethod;
  body: Record<string, unknown>;
}

/**
 * A scripted answer for the next send calls: a Bot API refusal (`errorCode` 429 with Telegram's
 * `retryAfter` seconds, 403 a blocked bot, any other code), or a transport fault.
 */
export type TelegramFault = { errorCode: number; retryAfter?: number; description?: string } | TransportFault;

export interface FakeTelegramOptions {
  botToken: string;
  logger: Logger;
  botName?: string;
}

/** The descriptions Telegram gives, for a scripted fault that names none. */
const DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'Bad Request: scripted fault',
  403: 'Forbidden: bot was blocked by the user',
  429: 'Too Many Requests: retry after',
  500: 'Internal Server Error',
};
const WEBHOOK_SECRET = /^[A-Za-z0-9_-]{1,256}$/;

interface Webhook {
  url: string;
  secretToken: string;
  allowedUpdates: string[];
}

/**
 * A local reference implementation of the part of the Telegram Bot API this product uses: the
 * send methods (each held to the Bot API's limits, shared/telegram/limits.ts), setWebhook and its
 * kin, getMe. It answers like Telegram (`{ok, result}`, or `{ok: false, error_code, description}`
 * with the same HTTP status) and records each accepted send under /_fake/messages. It fails on
 * command: /_fake/faults and /_fake/outage (fakes/common/messenger-hooks.ts), and POST
 * /_fake/blocked {chatId, blocked} makes a chat answer 403 as one whose user blocked the bot.
 */
export function buildFakeTelegram(options: FakeTelegramOptions): FastifyInstance {
  const { botToken, logger } = options;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1 << 20,
  });
  // Telegram answers a body it cannot read as missing parameters, not with a framework's error.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    done(null, parseJson(body as string));
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, formParameters(body as string));
  });

  const faults = registerScriptedFaults<TelegramFault>(app);
  const log = registerMessageLog<SentCall>(app, { query: 'chat', chatOf: (call) => call.chatId });
  const blocked = new Set<string>();
  const lastMessageId = new Map<string, number>();
  let webhook: Webhook = { url: '', secretToken: '', allowedUpdates: [] };
  const bot: TelegramUser = {
    id: Number(/^\d+/.exec(botToken)?.[0] ?? 1),
    is_bot: true,
    first_name: options.botName ?? 'Иркутскэнергосбыт',
    username: 'fake_energosbyt_bot',
  };

  async function send(method: TelegramSendMethod, parameters: Record<string, unknown>, reply: FastifyReply) {
    const fault = faults.next();
    if (await playTransportFault(fault, reply)) return reply;
    if (fault && 'errorCode' in fault) return refuse(reply, fault.errorCode, faultDescription(fault), fault.retryAfter);
    const problem = telegramProblems({ method, body: parameters })[0];
    if (problem !== undefined) {
      logger.warn({ method, problem }, 'call refused');
      return refuse(reply, 400, `Bad Request: ${problem}`);
    }
    const chatId = String(parameters.chat_id);
    if (blocked.has(chatId)) return refuse(reply, 403, DESCRIPTIONS[403]!);
    log.add({ chatId, method, body: parameters });
    const messageId = (lastMessageId.get(chatId) ?? 0) + 1;
    lastMessageId.set(chatId, messageId);
    return ok(reply, {
      message_id: messageId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: Number(chatId), type: 'private' },
      from: bot,
      ...content(method, parameters),
    });
  }

  function setWebhook(parameters: Record<string, unknown>, reply: FastifyReply) {
    const { url = '', secret_token: secretToken = '', allowed_updates: allowedUpdates = [] } = parameters;
    if (typeof url !== 'string') return refuse(reply, 400, 'Bad Request: bad webhook: URL must be a string');
    if (secretToken !== '' && !(typeof secretToken === 'string' && WEBHOOK_SECRET.test(secretToken)))
      return refuse(reply, 400, 'Bad Request: secret token contains unallowed characters');
    if (!Array.isArray(allowedUpdates) || !allowedUpdates.every((kind) => typeof kind === 'string'))
      return refuse(reply, 400, 'Bad Request: allowed_updates must be an array of strings');
    webhook = { url, secretToken: secretToken as string, allowedUpdates };
    return ok(reply, true, url === '' ? 'Webhook was deleted' : 'Webhook was set');
  }

  app.route({
    method: ['GET', 'POST'],
    url: '/bot:token/:method',
    handler: async (request, reply) => {
      const { token, method } = request.params as { token: string; method: string };
      if (token !== botToken) return refuse(reply, 401, 'Unauthorized');
      const parameters = isRecord(request.body) ? request.body : isRecord(request.query) ? request.query : {};
      if ((TELEGRAM_SEND_METHODS as readonly string[]).includes(method))
        return send(method as TelegramSendMethod, parameters, reply);
      switch (method) {
        case 'getMe':
          return ok(reply, bot);
        case 'setWebhook':
          return setWebhook(parameters, reply);
        case 'deleteWebhook':
          return setWebhook({}, reply);
        case 'getWebhookInfo':
          return ok(reply, {
            url: webhook.url,
            has_custom_certificate: false,
            pending_update_count: 0,
            allowed_updates: webhook.allowedUpdates,
          });
        default:
          return refuse(reply, 404, 'Not Found');
      }
    },
  });

  // --- For tests, tools and the simulator: not part of the Bot API.
  app.get('/_fake/webhook', async () => webhook);
  app.post('/_fake/blocked', async (request, reply) => {
    const { chatId, blocked: isBlocked } = isRecord(request.body) ? request.body : {};
    if ((typeof chatId !== 'string' && typeof chatId !== 'number') || typeof isBlocked !== 'boolean')
      return reply.code(400).send({ error: 'expected {"chatId": "<Telegram chat id>", "blocked": true|false}' });
    if (isBlocked) blocked.add(String(chatId));
    else blocked.delete(String(chatId));
    return { blocked: [...blocked] };
  });

  return app;
}

const ok = (reply: FastifyReply, result: unknown, description?: string) =>
  reply.code(200).send({ ok: true, result, ...(description ? { description } : {}) });

function refuse(reply: FastifyReply, errorCode: number, description: string, retryAfter?: number) {
  const parameters = retryAfter === undefined ? {} : { parameters: { retry_after: retryAfter } };
  return reply.code(errorCode).send({ ok: false, error_code: errorCode, description, ...parameters });
}

function faultDescription(fault: { errorCode: number; retryAfter?: number; description?: string }): string {
  if (fault.description) return fault.description;
  const known = DESCRIPTIONS[fault.errorCode] ?? 'Scripted fault';
  return fault.errorCode === 429 ? `${known} ${fault.retryAfter ?? 1}` : known;
}

/** What Telegram's Message holds of what was sent (the fake invents the file's ids). */
function content(method: TelegramSendMethod, parameters: Record<string, unknown>): Record<string, unknown> {
  switch (method) {
    case 'sendMessage':
      return { text: parameters.text };
    case 'sendDocument': {
      const fileName = new URL(parameters.document as string).pathname.split('/').at(-1) || 'file';
      return { document: { file_id: `fake-${fileName}`, file_unique_id: `fake-${fileName}`, file_name: fileName } };
    }
    case 'sendLocation':
      return { location: { latitude: parameters.latitude, longitude: parameters.longitude } };
  }
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** A form's values are text; Telegram reads a JSON array (allowed_updates) out of one. */
function formParameters(body: string): Record<string, unknown> {
  const parameters: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body))
    parameters[key] = value.startsWith('[') ? (parseJson(value) ?? value) : value;
  return parameters;
}
