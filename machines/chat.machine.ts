import type { Content } from '../shared/ports/content-catalog.js';
import type { Reply } from '../shared/contracts/reply.js';
import type { ChatMachineEventOf } from './events.js';
import { DEFAULT_BUTTON_COLOR, keyboard, mainMenu, replyButton, startKeyboard, text } from './keyboards.js';
import { goToMenu, hintInPlace, menuItemTransitions, toMenuOnRequest } from './navigation.js';
import { contractState } from './sections/contract.js';
import { identifyState } from './sections/identify.js';
import { cabinetState, serviceCentreState, supportState } from './sections/info.js';
import { paymentNotice, paymentState } from './sections/payment.js';
import { readingsState } from './sections/readings.js';
import { settingsState } from './sections/settings.js';
import { chatSetup, say, type ChatContext } from './setup.js';
import { Buttons, MenuItem, Texts } from './texts.js';

/**
 * The version of the persisted shape of this machine. Raise it when a state is removed or renamed,
 * or the context changes shape (3: a reading draft knows when its account was chosen, a payment
 * draft its order): a chat saved under another version restarts, keeping its settings and accounts.
 */
export const CHAT_MACHINE_VERSION = 3;

const reminderReply = (context: ChatContext, event: ChatMachineEventOf<'chat.reminder'>): Reply =>
  text(
    Texts.reminders.due(event.account, event.window),
    // «Передать показания» goes straight to this account (context.lastReminder, see sections/readings.ts).
    keyboard([replyButton(MenuItem.Readings), replyButton(Buttons.ToMenu)], context.buttonColor),
  );

const greeting = (context: ChatContext) => welcomeReply(context.buttonColor);

const startHint = { actions: say((context) => text(Texts.startHint, startKeyboard(context.buttonColor))) };

/**
 * The dialogue of one chat. The root is the main menu; each section of the manual is a compound
 * state in machines/sections/ made with the same typed setup, so one actor (one snapshot) holds a
 * chat's whole dialogue and every reply goes out through one `say` action, in order.
 */
export function createChatMachine(content: Content) {
  return chatSetup.createMachine({
    id: 'chat',
    context: ({ input }) => ({
      chatId: input.chatId,
      buttonColor: input.buttonColor ?? DEFAULT_BUTTON_COLOR,
      accounts: input.accounts ?? [],
      flow: 'readings',
      ...(input.reminders ? { reminders: true } : {}),
    }),
    initial: 'awaitingStart',
    on: {
      // Viber's welcome was the HTTP answer to conversation_started (it allows nothing else);
      // a channel that lets the bot write first (Telegram's /start) asks the dialogue to greet.
      'chat.opened': [
        { guard: 'isGreetingAsked', target: '.awaitingStart', actions: ['forgetDrafts', say(greeting)] },
        { target: '.awaitingStart', actions: 'forgetDrafts' },
      ],
      'chat.unsubscribed': { target: '.awaitingStart', actions: 'forgetDrafts' },
      // A payment is settled whenever the customer has paid: said without leaving the screen the
      // customer is on (the payment's own screen answers it itself, see sections/payment.ts).
      'chat.payment': {
        actions: say((context, event) =>
          text(paymentNotice(context, event), context.lastKeyboard ?? mainMenu(context.buttonColor)),
        ),
      },
      // The submission window of a linked account opened (the reminder fan-out): said wherever the
      // customer is, if they asked for reminders and the account is still theirs; once a month.
      'chat.reminder': {
        guard: 'isReminderWanted',
        actions: [{ type: 'noteReminded', params: ({ event }) => event }, say(reminderReply)],
      },
      // A picture, sticker, location or contact where no screen expects one: a hint, and the customer stays.
      'chat.contact': hintInPlace(Texts.notText),
      'chat.location': hintInPlace(Texts.notText),
      'chat.media': hintInPlace(Texts.notText),
    },
    states: {
      awaitingStart: {
        on: {
          'chat.text': [toMenuOnRequest, startHint],
          'chat.contact': startHint,
          'chat.location': startHint,
          'chat.media': startHint,
        },
      },
      menu: {
        on: { 'chat.text': [toMenuOnRequest, ...menuItemTransitions, goToMenu(Texts.unknown)] },
      },
      readings: readingsState(),
      payment: paymentState(),
      identify: identifyState(content),
      contract: contractState(content),
      serviceCentre: serviceCentreState(content),
      cabinet: cabinetState(content),
      settings: settingsState(content),
      support: supportState(content),
    },
  });
}

export type ChatMachine = ReturnType<typeof createChatMachine>;

/** The single message Viber lets the bot send in answer to conversation_started. */
export function welcomeReply(color = DEFAULT_BUTTON_COLOR): Reply {
  return text(Texts.welcome, startKeyboard(color));
}
