import { emit, setup } from 'xstate';
import type { Reply } from '../shared/reply.js';
import { normaliseCommand, type ChatMachineEvent, type ReplyEmitted } from './events.js';
import { DEFAULT_BUTTON_COLOR, mainMenu, startKeyboard, text } from './keyboards.js';
import { MENU_ITEMS, START_COMMAND, Texts, type MenuItem } from './texts.js';

/**
 * The version of the persisted shape of this machine. Raise it when a state is removed or renamed:
 * a chat saved under another version restarts from the menu, keeping what it carries over.
 */
export const CHAT_MACHINE_VERSION = 1;

export interface ChatContext {
  buttonColor: string;
}

/** What a chat keeps when its saved dialogue state can no longer be restored. */
export type ChatInput = Partial<ChatContext>;

const START = normaliseCommand(START_COMMAND);
const menuItemOf = (event: ChatMachineEvent): MenuItem | undefined =>
  event.type === 'chat.text' ? MENU_ITEMS.find((item) => normaliseCommand(item) === normaliseCommand(event.text)) : undefined;

/** Say `message` under the main menu, or under the «Начать» button. */
const sayWithMenu = (message: string | ((event: ChatMachineEvent) => string)) =>
  ({
    type: 'say',
    params: ({ context, event }: { context: ChatContext; event: ChatMachineEvent }) => ({
      reply: text(typeof message === 'string' ? message : message(event), mainMenu(context.buttonColor)),
    }),
  }) as const;
const sayStartHint = {
  type: 'say',
  params: ({ context }: { context: ChatContext }) => ({ reply: text(Texts.startHint, startKeyboard(context.buttonColor)) }),
} as const;

/** Contacts, locations, pictures and stickers where the bot expects text. */
const onNonText = <A>(action: A) => ({ 'chat.contact': { actions: action }, 'chat.location': { actions: action }, 'chat.media': { actions: action } });

export const chatMachine = setup({
  types: {
    context: {} as ChatContext,
    events: {} as ChatMachineEvent,
    emitted: {} as ReplyEmitted,
    input: {} as ChatInput,
  },
  actions: {
    say: emit((_, params: { reply: Reply }) => ({ type: 'reply' as const, reply: params.reply })),
  },
  guards: {
    isStart: ({ event }) => event.type === 'chat.text' && normaliseCommand(event.text) === START,
    isMenuItem: ({ event }) => menuItemOf(event) !== undefined,
  },
}).createMachine({
  id: 'chat',
  context: ({ input }) => ({ buttonColor: input?.buttonColor ?? DEFAULT_BUTTON_COLOR }),
  initial: 'awaitingStart',
  on: {
    // The welcome itself was the HTTP answer to conversation_started (Viber allows nothing else).
    'chat.opened': { target: '.awaitingStart' },
    'chat.unsubscribed': { target: '.awaitingStart' },
  },
  states: {
    awaitingStart: {
      on: {
        'chat.text': [{ guard: 'isStart', target: 'menu', actions: sayWithMenu(Texts.menu) }, { actions: sayStartHint }],
        ...onNonText(sayStartHint),
      },
    },
    menu: {
      on: {
        'chat.text': [
          { guard: 'isStart', actions: sayWithMenu(Texts.menu) },
          { guard: 'isMenuItem', actions: sayWithMenu((event) => Texts.placeholder(menuItemOf(event)!)) },
          { actions: sayWithMenu(Texts.unknown) },
        ],
        ...onNonText(sayWithMenu(Texts.notText)),
      },
    },
  },
});

/** The single message Viber lets the bot send in answer to conversation_started. */
export function welcomeReply(color = DEFAULT_BUTTON_COLOR): Reply {
  return text(Texts.welcome, startKeyboard(color));
}
