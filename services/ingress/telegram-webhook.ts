import type { FastifyInstance } from 'fastify';
import { readTelegramUpdate } from '../../shared/telegram/read-update.js';
import { TELEGRAM_SECRET_HEADER } from '../../shared/telegram/types.js';
import { admitEvent, type AdmitDeps } from './admit-event.js';
import { EMPTY_BODY, TELEGRAM_WEBHOOK_PATH } from './paths.js';

/**
 * The Telegram webhook: checks setWebhook's secret token (in constant time) before anything is
 * parsed, turns the update into the same channel-neutral chat event as Viber's callbacks, and
 * answers 200 only once JetStream has stored it. Telegram resends an update until it gets a 2xx,
 * and the update's id is the event's id, so a resend is stored once (the bus's duplicate window).
 */
export function registerTelegramWebhook(app: FastifyInstance, options: AdmitDeps & { secret: string }): void {
  const { secret, meter } = options;
  app.post(TELEGRAM_WEBHOOK_PATH, async (request, reply) => {
    meter.received('telegram');
    const raw = Buffer.isBuffer(request.body) ? request.body : EMPTY_BODY;
    const reading = readTelegramUpdate(raw, request.headers[TELEGRAM_SECRET_HEADER] as string | undefined, secret);
    if (!reading.ok) {
      request.log.warn({ reason: reading.reason === 'malformed' ? reading.detail : reading.reason }, 'update refused');
      meter.refused('telegram', reading.reason);
      return reply.code(reading.reason === 'bad-secret' ? 403 : 400).send({ error: reading.detail });
    }
    // A group, or an update the bot does not use: acknowledged, so Telegram does not resend it.
    if (reading.event === null) return reply.code(200).send({});
    const admission = await admitEvent(options, 'telegram', reading.event, request.log);
    if (admission === 'unavailable') return reply.code(503).send({ error: 'temporarily unavailable' });
    return reply.code(200).send({});
  });
}
