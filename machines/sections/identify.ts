import { assign } from 'xstate';
import type { Content } from '../../shared/content.js';
import { choices, keyboard, replyButton, sharePhoneButton, text, urlButton } from '../keyboards.js';
import { goToMenu, toMenuOnRequest, unknownTextToMenu } from '../navigation.js';
import { chatSetup, isButton, say, textOf, type ChatContext } from '../setup.js';
import { Buttons, MenuItem, Texts } from '../texts.js';

/** The manual's form of an account number: a Cyrillic letter prefix and digits, e.g. «инзб12345678». */
const ACCOUNT_NUMBER = /^[а-яё]{2,6}\d{6,12}$/;

/** Case, spaces and dashes do not matter: «ИНЗБ 1234-5678» is «инзб12345678». */
export const normaliseAccount = (typed: string) => typed.normalize('NFC').toLowerCase().replace(/[\s\u00a0-]/g, '');
export const isAccountNumber = (typed: string) => ACCOUNT_NUMBER.test(normaliseAccount(typed));

const CODE = /^\d{4}$/;
const typedCode = (event: { type: string }) => (textOf(event) ?? '').replace(/\s/g, '');

/** The prompt for the account number, said by every transition into `#chat.identify.askAccount`. */
export const askForAccount = say((context) => text(Texts.identify.askAccount, choices([], context.buttonColor)));

/** Two transitions: to the account choice of the section that asked for identification. */
const backToFlow = (guard: (args: { context: ChatContext; event: any }) => boolean, actions: readonly any[]) => [
  { guard: (args: { context: ChatContext; event: any }) => guard(args) && args.context.flow === 'payment', target: '#chat.payment.chooseAccount', actions },
  { guard, target: '#chat.readings.chooseAccount', actions },
];

/**
 * Identification by SMS code, shared by «Передать показания» and «Оплатить»: the account number,
 * the customer's phone (it must be the one on file), then the four-digit code sent to that phone.
 * Limits (attempts, expiry, resend cool-down) are kept by the verification service, not here.
 */
export const identifyState = (content: Content) => {
  const codeKeyboard = (context: ChatContext) => choices([Buttons.ResendCode], context.buttonColor);
  const phoneKeyboard = (context: ChatContext) => keyboard([sharePhoneButton(), replyButton(Buttons.ToMenu)], context.buttonColor);
  const lockedToMenu = goToMenu((_c, event) => Texts.identify.locked(event.output.minutes));

  return chatSetup.createStateConfig({
    initial: 'intro',
    states: {
      intro: {
        entry: say((context) => text(Texts.identify.intro, choices([Buttons.RequestCode], context.buttonColor))),
        on: {
          'chat.text': [toMenuOnRequest, { guard: ({ event }) => isButton(event, Buttons.RequestCode), target: 'askAccount', actions: askForAccount }, ...unknownTextToMenu],
        },
      },
      askAccount: {
        on: {
          'chat.text': [
            toMenuOnRequest,
            ...backToFlow(({ context, event }) => context.accounts.includes(normaliseAccount(textOf(event)!)), [
              say((_c, event) => text(Texts.identify.alreadyLinked(normaliseAccount(event.text)))),
            ]),
            { guard: ({ event }) => isAccountNumber(textOf(event)!), target: 'checkingAccount', actions: assign({ identifying: ({ event }) => normaliseAccount(textOf(event)!) }) },
            { actions: say((context, event) => text(Texts.identify.badAccount(event.text), choices([], context.buttonColor))) },
          ],
        },
      },
      checkingAccount: {
        invoke: {
          src: 'findAccount',
          input: ({ context }) => ({ account: context.identifying! }),
          onDone: [
            { guard: ({ event }) => event.output === null, target: 'askAccount', actions: say((context) => text(Texts.identify.unknownAccount, choices([], context.buttonColor))) },
            { target: 'askPhone', actions: say((context) => text(Texts.identify.askPhone, phoneKeyboard(context))) },
          ],
          onError: goToMenu(Texts.unavailable),
        },
      },
      askPhone: {
        on: {
          'chat.contact': [{ guard: ({ event }) => !event.phone, actions: say((context) => text(Texts.identify.noPhone, phoneKeyboard(context))) }, { target: 'requestingCode' }],
          'chat.text': [toMenuOnRequest, { actions: say((context) => text(Texts.identify.pressShare, phoneKeyboard(context))) }],
        },
      },
      requestingCode: {
        invoke: {
          src: 'requestCode',
          // A contact starts a challenge for that phone; «Отправить код повторно» (text) resends the current one.
          input: ({ context, event }) => ({
            chatId: context.chatId,
            account: context.identifying!,
            ...(event.type === 'chat.contact' && event.phone ? { phone: event.phone } : {}),
            idempotencyKey: event.id,
          }),
          onDone: [
            { guard: ({ event }) => event.output.result === 'sent', target: 'askCode', actions: say((context, event) => text(Texts.identify.codeSent(event.output.maskedPhone), codeKeyboard(context))) },
            {
              guard: ({ event }) => event.output.result === 'mismatch',
              // The fix is in the personal cabinet, so its link comes with the explanation.
              target: '#chat.menu',
              actions: [
                'forgetDrafts',
                say((context) => text(Texts.identify.phoneMismatch(content.site), keyboard([urlButton(MenuItem.Cabinet, content.cabinet.registrationUrl), replyButton(Buttons.ToMenu)], context.buttonColor))),
              ],
            },
            { guard: ({ event }) => event.output.result === 'cooldown', target: 'askCode', actions: say((context, event) => text(Texts.identify.cooldown(event.output.seconds), codeKeyboard(context))) },
            { guard: ({ event }) => event.output.result === 'locked', ...lockedToMenu },
            // no-challenge: the code expired long ago and was forgotten; start again from the account.
            { target: 'askAccount', actions: [say((context) => text(Texts.identify.expired, choices([], context.buttonColor))), askForAccount] },
          ],
          onError: goToMenu(Texts.unavailable),
        },
      },
      askCode: {
        on: {
          'chat.text': [
            toMenuOnRequest,
            { guard: ({ event }) => isButton(event, Buttons.ResendCode), target: 'requestingCode' },
            { guard: ({ event }) => CODE.test(typedCode(event)), target: 'checkingCode' },
            { actions: say((context) => text(Texts.identify.badCodeFormat, codeKeyboard(context))) },
          ],
        },
      },
      checkingCode: {
        invoke: {
          src: 'checkCode',
          input: ({ context, event }) => ({
            chatId: context.chatId,
            account: context.identifying!,
            code: typedCode(event),
            idempotencyKey: event.id,
          }),
          onDone: [
            ...backToFlow(({ event }) => event.output.result === 'ok', [
              assign({ accounts: ({ context }) => [...context.accounts, context.identifying!], identifying: undefined }),
              say((context) => text(Texts.identify.linked(context.accounts.at(-1)!))),
            ]),
            { guard: ({ event }) => event.output.result === 'wrong', target: 'askCode', actions: say((context, event) => text(Texts.identify.wrongCode(event.output.attemptsLeft), codeKeyboard(context))) },
            { guard: ({ event }) => event.output.result === 'expired', target: 'askCode', actions: say((context) => text(Texts.identify.expired, codeKeyboard(context))) },
            { ...lockedToMenu },
          ],
          onError: goToMenu(Texts.unavailable),
        },
      },
    },
  });
};
