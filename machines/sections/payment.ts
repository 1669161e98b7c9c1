import { and } from 'xstate';
import { choices, keyboard, replyButton, text, urlButton } from '../keyboards.js';
import { goToMenu, isBack, pressed, toMenuOnRequest, unknownText } from '../navigation.js';
import type { ChatMachineEventOf } from '../events.js';
import { chatSetup, say, type ChatContext } from '../setup.js';
import { Buttons, formatRubles, Texts } from '../texts.js';
import { chooseAccountState } from './accounts.js';

const linkKeyboard = (context: ChatContext) =>
  keyboard(
    [
      urlButton(Buttons.GoToPayment, context.payment!.url),
      replyButton(Buttons.Back, 3),
      replyButton(Buttons.ToMenu, 3),
    ],
    context.buttonColor,
  );

/** After a payment that did not go through: a fresh order for the same account, or the menu. */
const settledKeyboard = (context: ChatContext) => choices([Buttons.PayAgain], context.buttonColor);

/**
 * «Оплатить» → «Оплатить картой»: identification if needed, the account, the amount due and a link
 * to the provider's page (the amount is editable there). The provider's signed callback reaches
 * the chat later as a `chat.payment` event: on this link's screen it ends the screen (the menu
 * after a payment, «Оплатить ещё раз» after a failed or cancelled one); anywhere else it is told
 * without leaving the customer's screen (chat.machine.ts).
 */
export const paymentState = () =>
  chatSetup.createStateConfig({
    initial: 'intro',
    entry: { type: 'setFlow', params: { flow: 'payment' } },
    states: {
      intro: {
        entry: say((context) => text(Texts.payment.intro, choices([Buttons.PayByCard], context.buttonColor))),
        on: {
          'chat.text': [
            toMenuOnRequest,
            { guard: and([pressed(Buttons.PayByCard), 'hasLinkedAccounts']), target: 'chooseAccount' },
            { guard: pressed(Buttons.PayByCard), target: '#chat.identify' },
            ...unknownText,
          ],
        },
      },
      chooseAccount: chooseAccountState('payment'),
      preparing: {
        invoke: {
          src: 'preparePayment',
          // One order per press: the event id keeps it one order if the turn runs again after a crash.
          input: ({ context, event }) => ({
            chatId: context.chatId,
            account: context.payment!.account,
            orderId: event.id,
          }),
          onDone: {
            target: 'linkShown',
            actions: [
              { type: 'offerPayment', params: ({ event }) => ({ url: event.output.url, due: event.output.due.total }) },
              say((context, event) => {
                const { due } = event.output;
                const message =
                  due.total > 0
                    ? Texts.payment.due(
                        context.payment!.account,
                        formatRubles(due.total),
                        due.lines.map((line) => `${line.service}: ${formatRubles(line.amount)}`),
                      )
                    : Texts.payment.nothingDue(context.payment!.account);
                return text(message, linkKeyboard(context));
              }),
            ],
          },
          onError: goToMenu(Texts.unavailable),
        },
      },
      linkShown: {
        on: {
          'chat.text': [toMenuOnRequest, { guard: isBack, target: 'chooseAccount' }, ...unknownText],
          // This link's order is settled: its button would open a finished order, so the screen changes.
          'chat.payment': [
            {
              guard: and(['isNoticeOfShownOrder', 'isPaymentSucceeded']),
              ...goToMenu((context, event) => paymentNotice(context, event)),
            },
            {
              guard: 'isNoticeOfShownOrder',
              target: 'settled',
              actions: say((context, event) => text(paymentNotice(context, event), settledKeyboard(context))),
            },
          ],
        },
      },
      settled: {
        on: {
          'chat.text': [
            toMenuOnRequest,
            {
              guard: pressed(Buttons.PayAgain),
              target: 'preparing',
              actions: {
                type: 'startPayment',
                params: ({ context, event }) => ({ account: context.payment!.account, orderId: event.id }),
              },
            },
            ...unknownText,
          ],
        },
      },
    },
  });

/**
 * What the customer is told when the provider settles a payment, wherever the dialogue is. The
 * notice's amount is what was paid, so a failed payment carries none: then the amount the chat
 * offered for that order is named as the amount due, or no sum at all.
 */
export function paymentNotice(
  context: Pick<ChatContext, 'offers'>,
  event: Omit<ChatMachineEventOf<'chat.payment'>, 'id' | 'at'>,
): string {
  switch (event.status) {
    case 'succeeded':
      return Texts.payment.succeeded(event.account, formatRubles(event.amount));
    case 'failed': {
      const offered = context.offers?.find((offer) => offer.orderId === event.orderId)?.due;
      return Texts.payment.failed(event.account, {
        ...(event.amount > 0 ? { tried: formatRubles(event.amount) } : {}),
        ...(offered ? { due: formatRubles(offered) } : {}),
      });
    }
    case 'cancelled':
      return Texts.payment.cancelled(event.account);
  }
}
