import type { AnyStateMachine } from 'xstate';
import type { Content } from '../shared/ports/content-catalog.js';
import { CHAT_MACHINE_VERSION, createChatMachine, type ChatMachine } from './chat.machine.js';
import type { ChatInput } from './setup.js';

/** What a worker needs to run a dialogue: the machine, its persisted version, and how a chat starts. */
export interface Dialogue<TMachine extends AnyStateMachine = AnyStateMachine> {
  machine: TMachine;
  version: number;
  /** The input of a fresh start; `previous` is a snapshot that can no longer be restored, if any. */
  input(chatId: string, previous: unknown): ChatInput;
}

const contextOf = (snapshot: unknown): Record<string, unknown> => {
  const context = (snapshot as { context?: unknown } | null)?.context;
  return typeof context === 'object' && context !== null ? (context as Record<string, unknown>) : {};
};

/** A chat whose saved state cannot be restored keeps its button colour, linked accounts and reminder consent. */
export function chatInput(chatId: string, previous: unknown): ChatInput {
  const { buttonColor, accounts, reminders } = contextOf(previous);
  return {
    chatId,
    ...(typeof buttonColor === 'string' ? { buttonColor } : {}),
    ...(Array.isArray(accounts) && accounts.every((a) => typeof a === 'string')
      ? { accounts: accounts as string[] }
      : {}),
    // The customer's consent outlives a restarted dialogue.
    ...(reminders === true ? { reminders: true } : {}),
  };
}

export function chatDialogue(content: Content): Dialogue<ChatMachine> {
  return { machine: createChatMachine(content), version: CHAT_MACHINE_VERSION, input: chatInput };
}
