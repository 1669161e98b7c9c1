import { assign } from 'xstate';
import { choices, text } from '../keyboards.js';
import { goToMenu, toMenuOnRequest, unknownTextToMenu } from '../navigation.js';
import { chatSetup, isButton, pick, say, type ChatContext } from '../setup.js';
import { Buttons, Texts } from '../texts.js';
import { askForAccount } from './identify.js';

export const pickedAccount = (context: ChatContext, event: { type: string }) => pick(event, context.accounts, (account) => account);

/**
 * The linked accounts as buttons, with «Добавить лицевой счёт» and «Отвязать лицевой счёт»; the
 * section decides what choosing one does (`onChosen`).
 */
export const chooseAccountState = (onChosen: { target: string; actions?: readonly any[] }) =>
  chatSetup.createStateConfig({
    initial: 'choosing',
    states: {
      choosing: {
        entry: say((context) => text(Texts.accounts.choose, choices([...context.accounts, Buttons.AddAccount, Buttons.UnlinkAccount], context.buttonColor))),
        on: {
          'chat.text': [
            toMenuOnRequest,
            { guard: ({ context, event }) => pickedAccount(context, event) !== undefined, ...onChosen },
            { guard: ({ event }) => isButton(event, Buttons.AddAccount), target: '#chat.identify.askAccount', actions: askForAccount },
            { guard: ({ event }) => isButton(event, Buttons.UnlinkAccount), target: 'unlinking' },
            ...unknownTextToMenu,
          ],
        },
      },
      unlinking: {
        entry: say((context) => text(Texts.accounts.chooseToUnlink, choices(context.accounts, context.buttonColor, { back: true }))),
        on: {
          'chat.text': [
            toMenuOnRequest,
            { guard: 'isBack', target: 'choosing' },
            {
              guard: ({ context, event }) => pickedAccount(context, event) !== undefined,
              ...goToMenu((_c, event) => Texts.accounts.unlinked(event.text.trim().toLowerCase()), [
                assign({ accounts: ({ context, event }: { context: ChatContext; event: any }) => context.accounts.filter((account) => account !== pickedAccount(context, event)) }),
              ]),
            },
            ...unknownTextToMenu,
          ],
        },
      },
    },
  });
