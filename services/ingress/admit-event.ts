import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { ChatEventKind, type ChatEvent } from '../../shared/contracts/chat-event.js';
import { chatTag } from '../../shared/ops/logger.js';
import type { PublishEvent } from '../../shared/ports/publish-event.js';
import type { CallbackMeter } from './metrics.js';
import { CHANNEL_FEATURES, type Channel } from '../../shared/contracts/channel.js';
import type { ChatRateLimiter } from './rate-limit.js';

export interface AdmitDeps {
  publish: PublishEvent;
  meter: CallbackMeter;
  rateLimiter: ChatRateLimiter;
}

/**
 * What became of a messenger's event: on the bus (`stored`; the messenger gets 200), over the
 * chat's rate (`rate-limited`; 200 all the same, or it would be sent again and again), or not
 * stored because the bus could not take it (`unavailable`; 503, and the messenger sends it again).
 */
export type Admission = 'stored' | 'rate-limited' | 'unavailable';

/**
 * The one way a messenger's event reaches the bus, whichever webhook it came by: the chat's rate
 * limit (never for an opened chat: its welcome is never held back), then the publish, which
 * resolves only once JetStream has stored it. A repeat the bus already holds gives its token back.
 */
export async function admitEvent(
  deps: AdmitDeps,
  source: Channel,
  event: ChatEvent,
  log: FastifyBaseLogger,
): Promise<Admission> {
  const { rateLimiter, meter } = deps;
  const limited = event.kind !== ChatEventKind.Opened;
  if (limited && !rateLimiter.tryTake(event.chatId)) {
    // The chat's tag, never its id.
    log.warn({ chat: chatTag(event.chatId), kind: event.kind }, 'rate-limited');
    meter.refused(source, 'rate-limited');
    return 'rate-limited';
  }
  const correlationId = randomUUID();
  const turnLog = log.child({ correlationId, kind: event.kind });
  try {
    const { duplicate } = await deps.publish(event, correlationId);
    if (limited && duplicate) rateLimiter.refund(event.chatId);
    turnLog.info({ duplicate }, 'callback accepted');
    return 'stored';
  } catch (error) {
    // The messenger resends what got 503: the resend, not this attempt, should pay for the event.
    if (limited) rateLimiter.refund(event.chatId);
    turnLog.error({ err: error }, `could not publish; ${CHANNEL_FEATURES[source].name} will resend`);
    meter.refused(source, 'unavailable');
    return 'unavailable';
  }
}
