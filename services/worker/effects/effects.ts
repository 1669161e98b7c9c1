import { Texts } from '../../../machines/texts.js';
import type { ChatEvent } from '../../../shared/contracts/chat-event.js';
import type { BillingGateway } from '../../../shared/ports/billing.js';
import type { PaymentProvider } from '../../../shared/ports/payments.js';
import type { PhoneVerification } from '../../../shared/ports/verification.js';
import { withTimeout } from '../../../shared/ops/with-timeout.js';
import type { EffectOutcome } from '../actors/chat-step.js';
import type { PendingEffect } from '../../../shared/ports/chat-store.js';

export interface EffectPorts {
  billing: BillingGateway;
  verification: PhoneVerification;
  payments: PaymentProvider;
}

/** The chat an effect runs for, as the turn knows it: what the machine's input does not carry. */
export interface EffectChat {
  /** The channel the chat's events come from. */
  channel: ChatEvent['channel'];
}

/** How many past readings «История показаний» shows. */
const HISTORY_LENGTH = 6;

// The machine names its effects and their inputs in machines/setup.ts; the worker gives them meaning.
type Input = Record<string, any>;

/**
 * The side effects of the chat machine, by the names the machine invokes them under, bound to the
 * ports. Each is idempotent for its key (the id of the event that asked, carried in its input):
 * a worker that stopped before saving the outcome runs it again under the same key.
 */
export function effectHandlers(
  ports: EffectPorts,
): Record<string, (input: Input, chat: EffectChat) => Promise<unknown>> {
  const { billing, verification, payments } = ports;
  return {
    findAccount: (input) => billing.findAccount(input.account),
    requestCode: (input) => verification.requestCode(input as never),
    checkCode: (input) => verification.checkCode(input as never),
    loadServices: async (input) => {
      const [services, period] = await Promise.all([
        billing.services(input.account),
        billing.submissionPeriod(input.account),
      ]);
      return { services, period };
    },
    loadMeters: (input) => billing.meters(input.account, input.serviceId),
    loadHistory: (input) => billing.history(input.account, input.meterId, HISTORY_LENGTH),
    submitReading: (input) => billing.submitReading(input as never),
    preparePayment: async (input, chat) => {
      const due = await billing.amountDue(input.account);
      const link = await payments.createPayment({
        orderId: input.orderId,
        account: input.account,
        amount: due.total,
        description: Texts.payment.description(input.account),
        chatId: input.chatId,
        channel: chat.channel,
      });
      return { due, url: link.url };
    },
  };
}

/**
 * Runs a pending effect and tells how it ended. A failure (a system down, no answer in time) is an
 * outcome the dialogue explains to the customer, not a reason to run the turn again.
 */
export function effectRunner(
  ports: EffectPorts,
  timeoutMs: number,
): (effect: PendingEffect, chat: EffectChat) => Promise<EffectOutcome> {
  const handlers = effectHandlers(ports);
  return async (effect, chat) => {
    const handler = handlers[effect.src];
    if (!handler) return { ok: false, error: { message: `no effect named "${effect.src}"` } };
    try {
      return { ok: true, output: await withTimeout(handler(effect.input as Input, chat), timeoutMs, effect.src) };
    } catch (error) {
      return { ok: false, error: { message: error instanceof Error ? error.message : String(error) } };
    }
  };
}
