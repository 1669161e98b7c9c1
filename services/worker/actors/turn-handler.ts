import type { JsMsg } from '@nats-io/jetstream';
import { correlationIdOf } from '../../../shared/bus/chat-bus.js';
import type { ChatEvent } from '../../../shared/contracts/chat-event.js';
import { isTimerFired, type TimerFired } from '../../../shared/contracts/timer.js';
import { chatTag, type Logger } from '../../../shared/ops/logger.js';
import { inTurn } from '../effects/turn-context.js';
import { meteredTurn, type WorkerMetrics } from '../metrics.js';
import type { EventAdmission } from '../payments/payment-notices.js';
import type { ChatActor } from './chat-actor.js';

export interface TurnHandlerOptions {
  logger: Logger;
  metrics: WorkerMetrics;
  /** Whether a chat event goes on to its chat (a payment notice must be settled first). */
  admit: EventAdmission;
}

/**
 * One message of a chat's partition, run as a turn of its actor: a chat event, or one of its timers
 * firing. The turn's logger (correlation id, chat tag, sequence) is the async context of everything
 * the turn calls (effects/turn-context.ts); each turn ends with a "turn" line.
 */
export function turnHandler(options: TurnHandlerOptions): (msg: JsMsg, actor: ChatActor) => Promise<void> {
  const { logger, metrics, admit } = options;
  return async (msg, actor) => {
    const correlationId = correlationIdOf(msg);
    const event = msg.json<ChatEvent | TimerFired>();
    const turnLogger = logger.child({ correlationId, chat: chatTag(event.chatId), seq: msg.seq });
    const turn = { logger: turnLogger, correlationId };
    if (isTimerFired(event)) {
      const outcome = await inTurn(turnLogger, () => actor.fire(event, msg.seq, turn));
      return void turnLogger.info({ kind: 'timer', timer: event.timerId, outcome }, 'turn');
    }
    if (!(await admit(event, msg.seq, turnLogger))) return;
    const started = performance.now();
    const apply = () => actor.handle(event, msg.seq, turn);
    const outcome = await inTurn(turnLogger, () => meteredTurn(metrics, apply));
    turnLogger.info({ kind: event.kind, outcome, ms: Math.round(performance.now() - started) }, 'turn');
  };
}

/** The chat a message is for, if it names one (one that does not is filed as a dead letter). */
export function chatOf(msg: JsMsg): string | undefined {
  try {
    const chatId = msg.json<Partial<ChatEvent>>().chatId;
    return typeof chatId === 'string' ? chatId : undefined;
  } catch {
    return undefined;
  }
}
