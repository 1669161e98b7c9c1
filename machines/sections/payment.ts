import { assign } from 'xstate';
import { choices, keyboard, replyButton, text, urlButton } from '../keyboards.js';
import { goToMenu, toMenuOnRequest, unknownTextToMenu } from '../navigation.js';
import { chatSetup, isButton, say, type ChatContext } from '../setup.js';
import { Buttons, formatRubles, Texts } from '../texts.js';
import { chooseAccountState, pickedAccount } from './accounts.js';

const linkKeyboard = (context: ChatContext) => keyboard([urlButton(Buttons.GoToPayment, context.payment!.url), replyButton(Buttons.ToMenu)], context.buttonColor);

/**
 * «Оплатить» → «Оплатить картой»: identification if needed, the account, the amount due and a link
 * to the provider's page (the amount is editable there). The provider's signed callback reaches
 * the chat later as a `chat.payment` event, answered wherever the dialogue is then.
 */
export const paymentState = () =>
  chatSetup.createStateConfig({
    initial: 'intro',
    entry: assign({ flow: 'payment' as const }),
    states: {
      intro: {
        entry: say((context) => text(Texts.payment.intro, choices([Buttons.PayByCard], context.buttonColor))),
        on: {
          'chat.text': [
            toMenuOnRequest,
            { guard: ({ context, event }) => isButton(event, Buttons.PayByCard) && context.accounts.length > 0, target: 'chooseAccount' },
            { guard: ({ event }) => isButton(event, Buttons.PayByCard), target: '#chat.identify' },
            ...unknownTextToMenu,
          ],
        },
      },
      chooseAccount: chooseAccountState({
        target: '#chat.payment.preparing',
        actions: [assign({ payment: ({ context, event }: { context: ChatContext; event: any }) => ({ account: pickedAccount(context, event)!, url: '' }) })],
      }),
      preparing: {
        invoke: {
          src: 'preparePayment',
          // One order per press: the event id keeps it one order if the turn runs again after a crash.
          input: ({ context, event }) => ({ chatId: context.chatId, account: context.payment!.account, orderId: event.id }),
          onDone: {
            target: 'linkShown',
            actions: [
              assign({ payment: ({ context, event }) => ({ account: context.payment!.account, url: event.output.url }) }),
              say((context, event) => {
                const { due } = event.output;
                const message =
                  due.total > 0
                    ? Texts.payment.due(context.payment!.account, formatRubles(due.total), due.lines.map((l: { service: string; amount: number }) => `${l.service}: ${formatRubles(l.amount)}`))
                    : Texts.payment.nothingDue(context.payment!.account);
                return text(message, linkKeyboard(context));
              }),
            ],
          },
          onError: goToMenu(Texts.unavailable),
        },
      },
      linkShown: {
        on: { 'chat.text': [toMenuOnRequest, ...unknownTextToMenu] },
      },
    },
  });

/** What the customer is told when the provider settles a payment, wherever the dialogue is. */
export function paymentNotice(event: { status: 'succeeded' | 'failed' | 'cancelled'; account: string; amount: number }): string {
  switch (event.status) {
    case 'succeeded':
      return Texts.payment.succeeded(event.account, formatRubles(event.amount));
    case 'failed':
      return Texts.payment.failed(event.account, formatRubles(event.amount));
    case 'cancelled':
      return Texts.payment.cancelled(event.account);
  }
}
