import { and } from 'xstate';
import type { ChatMachineEventOf } from '../events.js';
import { choices, text } from '../keyboards.js';
import { isBack, MENU, menuActions, pressed, toMenuOnRequest, unknownText } from '../navigation.js';
import { chatSetup, pickedAccount, say, type ChatContext } from '../setup.js';
import { Buttons, formatAccount, Texts } from '../texts.js';
import { askForAccount } from './identify.js';

/** The linked accounts as buttons, as the bill prints them. */
export const accountButtons = (context: ChatContext) => context.accounts.map(formatAccount);

/**
 * The linked accounts as buttons, with «Добавить лицевой счёт» and «Отвязать лицевой счёт»;
 * choosing one goes on with the section's next step: the services of a reading, or a payment.
 */
export const chooseAccountState = (section: 'readings' | 'payment') =>
  chatSetup.createStateConfig({
    initial: 'choosing',
    states: {
      choosing: {
        entry: say((context) =>
          text(
            Texts.accounts.choose,
            choices([...accountButtons(context), Buttons.AddAccount, Buttons.UnlinkAccount], context.buttonColor),
          ),
        ),
        on: {
          'chat.text': [
            toMenuOnRequest,
            section === 'readings'
              ? {
                  guard: 'isLinkedAccount',
                  target: '#chat.readings.loadingServices',
                  actions: {
                    type: 'startReading',
                    params: ({ context, event }) => ({ account: pickedAccount(context, event.text)!, at: event.at }),
                  },
                }
              : {
                  guard: 'isLinkedAccount',
                  target: '#chat.payment.preparing',
                  // One order per press: the event id names it, so a turn run again makes the same order.
                  actions: {
                    type: 'startPayment',
                    params: ({ context, event }) => ({
                      account: pickedAccount(context, event.text)!,
                      orderId: event.id,
                    }),
                  },
                },
            { guard: pressed(Buttons.AddAccount), target: '#chat.identify.askAccount', actions: askForAccount },
            { guard: pressed(Buttons.UnlinkAccount), target: 'unlinking' },
            ...unknownText,
          ],
        },
      },
      unlinking: {
        entry: say((context) =>
          text(Texts.accounts.chooseToUnlink, choices(accountButtons(context), context.buttonColor, { back: true })),
        ),
        on: {
          'chat.text': [
            toMenuOnRequest,
            { guard: isBack, target: 'choosing' },
            // Other accounts stay: back to the choice, where the customer was.
            {
              guard: and(['isLinkedAccount', 'hasSeveralAccounts']),
              target: 'choosing',
              actions: [
                {
                  type: 'unlinkAccount',
                  params: ({ context, event }) => ({ account: pickedAccount(context, event.text)! }),
                },
                say((_context, event) => text(Texts.accounts.unlinked(event.text))),
              ],
            },
            // The last one: nothing is left to choose from.
            {
              guard: 'isLinkedAccount',
              target: MENU,
              actions: [
                {
                  type: 'unlinkAccount',
                  params: ({ context, event }) => ({ account: pickedAccount(context, event.text)! }),
                },
                ...menuActions<ChatMachineEventOf<'chat.text'>>((_context, event) =>
                  Texts.accounts.unlinked(event.text),
                ),
              ],
            },
            ...unknownText,
          ],
        },
      },
    },
  });
