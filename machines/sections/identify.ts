import { and } from 'xstate';
import type { Content } from '../../shared/ports/content-catalog.js';
import { normaliseAccount } from '../account-number.js';
import { choices, keyboard, replyButton, sharePhoneButton, text, urlButton } from '../keyboards.js';
import { goToMenu, isBack, menuItemTransitions, pressed, toMenuOnRequest, unknownText } from '../navigation.js';
import { chatSetup, messengerOf, say, type ChatContext } from '../setup.js';
import { Buttons, Texts } from '../texts.js';

/** The keyboard of the account prompt: nothing to press but the way back. */
const accountKeyboard = (context: ChatContext) => choices([], context.buttonColor, { back: true });

/** The prompt for the account number, said by every transition into `#chat.identify.askAccount`. */
export const askForAccount = say((context) => text(Texts.identify.askAccount, accountKeyboard(context)));

const typedCode = (text: string) => text.replace(/\s/g, '');

/**
 * An effect's outcome as the guard of its transition has already told it apart: the guard and the
 * action read the same output, so a mismatch is a bug in the machine, not an answer to explain.
 */
function outcome<O extends { result: string }, R extends O['result']>(output: O, result: R): Extract<O, { result: R }> {
  if (output.result !== result) throw new Error(`expected the outcome "${result}", got "${output.result}"`);
  return output as Extract<O, { result: R }>;
}

/**
 * Identification by SMS code, shared by «Передать показания» and «Оплатить»: the account number,
 * the customer's phone (it must be the one on file), then the six-digit code sent to that phone.
 * Limits (attempts, expiry, resend cool-down, codes per hour) are kept by the verification
 * service, not here. «Назад» goes one step back on every screen.
 */
export const identifyState = (content: Content) => {
  const codeKeyboard = (context: ChatContext) => choices([Buttons.ResendCode], context.buttonColor, { back: true });
  const phoneButtons = () => [sharePhoneButton(), replyButton(Buttons.Back, 3), replyButton(Buttons.ToMenu, 3)];
  const phoneKeyboard = (context: ChatContext) => keyboard(phoneButtons(), context.buttonColor);
  // The fix is the phone in the personal cabinet: its page first, then sharing the phone again.
  const mismatchKeyboard = (context: ChatContext) =>
    keyboard(
      [urlButton(Buttons.ChangePhone, content.cabinet.phoneSettingsUrl), ...phoneButtons()],
      context.buttonColor,
    );
  const askPhone = say((context) => text(Texts.identify.askPhone, phoneKeyboard(context)));

  return chatSetup.createStateConfig({
    initial: 'intro',
    states: {
      intro: {
        entry: say((context) =>
          text(
            Texts.identify.introFor(context.flow),
            choices([Buttons.RequestCode], context.buttonColor, { back: true }),
          ),
        ),
        on: {
          'chat.text': [
            toMenuOnRequest,
            { guard: pressed(Buttons.RequestCode), target: 'askAccount', actions: askForAccount },
            // One step back: «Оплатить» for a payment, the menu (where «Передать показания» is) for a reading.
            { guard: and([isBack, 'isPaymentFlow']), target: '#chat.payment.intro' },
            { guard: isBack, ...goToMenu() },
            ...unknownText,
          ],
        },
      },
      askAccount: {
        on: {
          'chat.text': [
            toMenuOnRequest,
            // Here from «Добавить лицевой счёт» when an account is linked, else from the intro.
            { guard: and([isBack, 'hasLinkedAccounts']), target: 'toFlow' },
            { guard: isBack, target: 'intro' },
            {
              guard: 'isAccountAlreadyLinked',
              target: 'toFlow',
              actions: say((_context, event) => text(Texts.identify.alreadyLinked(normaliseAccount(event.text)))),
            },
            {
              guard: 'isAccountNumber',
              target: 'checkingAccount',
              actions: { type: 'startIdentifying', params: ({ event }) => ({ account: normaliseAccount(event.text) }) },
            },
            // A main-menu item typed here opens its section (an account number is never one).
            ...menuItemTransitions,
            { actions: say((context, event) => text(Texts.identify.badAccount(event.text), accountKeyboard(context))) },
          ],
        },
      },
      checkingAccount: {
        invoke: {
          src: 'findAccount',
          input: ({ context }) => ({ account: context.identifying! }),
          onDone: [
            {
              guard: { type: 'isAccountUnknown', params: ({ event }) => event.output },
              target: 'askAccount',
              actions: say((context) => text(Texts.identify.unknownAccount, accountKeyboard(context))),
            },
            { target: 'askPhone', actions: askPhone },
          ],
          onError: goToMenu(Texts.unavailable),
        },
      },
      askPhone: {
        on: {
          'chat.contact': [
            {
              guard: 'isContactWithoutPhone',
              actions: say((context) => text(Texts.identify.noPhone(messengerOf(context)), phoneKeyboard(context))),
            },
            {
              guard: 'isSomeoneElsesContact',
              actions: say((context) => text(Texts.identify.notOwnContact, phoneKeyboard(context))),
            },
            { target: 'requestingCode' },
          ],
          'chat.text': [
            toMenuOnRequest,
            { guard: isBack, target: 'askAccount', actions: askForAccount },
            ...menuItemTransitions,
            { actions: say((context) => text(Texts.identify.pressShare, phoneKeyboard(context))) },
          ],
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
            {
              guard: { type: 'isCodeSent', params: ({ event }) => event.output },
              target: 'askCode',
              actions: [
                {
                  type: 'noteCodeSent',
                  params: ({ event }) => ({ validUntil: outcome(event.output, 'sent').validUntil }),
                },
                say((context, event) =>
                  text(Texts.identify.codeSent(outcome(event.output, 'sent').maskedPhone), codeKeyboard(context)),
                ),
              ],
            },
            {
              guard: { type: 'isPhoneMismatch', params: ({ event }) => event.output },
              // The customer stays here: once the phone is in the cabinet, sharing it again goes on.
              target: 'askPhone',
              actions: say((context) =>
                text(Texts.identify.phoneMismatch(content.site, messengerOf(context)), mismatchKeyboard(context)),
              ),
            },
            {
              guard: { type: 'isCooldown', params: ({ event }) => event.output },
              target: 'askCode',
              actions: say((context, event) =>
                text(Texts.identify.cooldown(outcome(event.output, 'cooldown').seconds), codeKeyboard(context)),
              ),
            },
            {
              guard: { type: 'isLimited', params: ({ event }) => event.output },
              ...goToMenu((_context, event) => Texts.identify.limited(outcome(event.output, 'limited'))),
            },
            {
              guard: { type: 'isLocked', params: ({ event }) => event.output },
              ...goToMenu((_context, event) => Texts.identify.requestLocked(outcome(event.output, 'locked').minutes)),
            },
            // no-challenge: the code was used, or expired long ago and was forgotten: a new one needs the phone.
            { target: 'askPhone', actions: say((context) => text(Texts.identify.codeGone, phoneKeyboard(context))) },
          ],
          onError: goToMenu(Texts.unavailable),
        },
      },
      askCode: {
        // A durable timer (the worker keeps XState's delayed event on the bus): when the code
        // expires while the customer is here, the bot says so once, with the button to resend.
        after: {
          codeExpiry: {
            guard: 'isCodeExpiryUnsaid',
            actions: [say((context) => text(Texts.identify.expired, codeKeyboard(context))), 'noteCodeExpirySaid'],
          },
        },
        on: {
          'chat.text': [
            toMenuOnRequest,
            { guard: isBack, target: 'askPhone', actions: askPhone },
            { guard: pressed(Buttons.ResendCode), target: 'requestingCode' },
            { guard: 'isCode', target: 'checkingCode' },
            ...menuItemTransitions,
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
            code: event.type === 'chat.text' ? typedCode(event.text) : '',
            idempotencyKey: event.id,
          }),
          onDone: [
            {
              guard: { type: 'isCodeRight', params: ({ event }) => event.output },
              target: 'toFlow',
              actions: [say((context) => text(Texts.identify.linked(context.identifying!))), 'linkAccount'],
            },
            {
              guard: { type: 'isCodeWrong', params: ({ event }) => event.output },
              target: 'askCode',
              actions: say((context, event) =>
                text(Texts.identify.wrongCode(outcome(event.output, 'wrong').attemptsLeft), codeKeyboard(context)),
              ),
            },
            {
              guard: { type: 'isCodeExpired', params: ({ event }) => event.output },
              // The text names «Отправить код повторно», and the keyboard has it.
              target: 'askCode',
              actions: [say((context) => text(Texts.identify.expired, codeKeyboard(context))), 'noteCodeExpirySaid'],
            },
            {
              ...goToMenu((_context, event) => Texts.identify.locked(outcome(event.output, 'locked').minutes)),
            },
          ],
          onError: goToMenu(Texts.unavailable),
        },
      },
      /** Identified (or already linked): on to the account choice of the section that asked. */
      toFlow: {
        always: [
          { guard: 'isPaymentFlow', target: '#chat.payment.chooseAccount' },
          { target: '#chat.readings.chooseAccount' },
        ],
      },
    },
  });
};
