import { fromPromise } from 'xstate';
import type { BillingGateway } from '../../shared/ports/billing.js';
import type { PaymentProvider } from '../../shared/ports/payments.js';
import type { PhoneVerification } from '../../shared/ports/verification.js';
import type { ChatMachine } from '../../machines/chat.machine.js';

export interface EffectPorts {
  billing: BillingGateway;
  verification: PhoneVerification;
  payments: PaymentProvider;
}

/** How many past readings «История показаний» shows. */
const HISTORY_LENGTH = 6;

/**
 * The side effects of the chat machine, bound to the ports. Each one is idempotent for the event
 * that started it (billing and SMS take the event id as idempotency key, a payment order is the
 * event id), because a turn whose worker died is run again.
 */
export function provideEffects(machine: ChatMachine, ports: EffectPorts): ChatMachine {
  const { billing, verification, payments } = ports;
  return machine.provide({
    actors: {
      findAccount: fromPromise(({ input }) => billing.findAccount(input.account)),
      requestCode: fromPromise(({ input }) => verification.requestCode(input)),
      checkCode: fromPromise(({ input }) => verification.checkCode(input)),
      loadServices: fromPromise(async ({ input }) => {
        const [services, period] = await Promise.all([billing.services(input.account), billing.submissionPeriod(input.account)]);
        return { services, period };
      }),
      loadMeters: fromPromise(({ input }) => billing.meters(input.account, input.serviceId)),
      loadHistory: fromPromise(({ input }) => billing.history(input.account, input.meterId, HISTORY_LENGTH)),
      submitReading: fromPromise(({ input }) => billing.submitReading(input)),
      preparePayment: fromPromise(async ({ input }) => {
        const due = await billing.amountDue(input.account);
        const link = await payments.createPayment({
          orderId: input.orderId,
          account: input.account,
          amount: due.total,
          description: `Оплата по лицевому счёту ${input.account}`,
          chatId: input.chatId,
          channel: 'viber',
        });
        return { due, url: link.url };
      }),
    },
  }) as ChatMachine;
}
