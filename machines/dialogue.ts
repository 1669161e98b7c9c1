import type { AnyStateMachine, InputFrom } from 'xstate';
import { CHAT_MACHINE_VERSION, chatMachine, type ChatInput } from './chat.machine.js';

/** What a worker needs to run a dialogue: the machine, its persisted version, and what survives a reset. */
export interface Dialogue<TMachine extends AnyStateMachine = AnyStateMachine> {
  machine: TMachine;
  version: number;
  /** From a snapshot that can no longer be restored, the input for a fresh start (the chat's settings). */
  carryOver(snapshot: unknown): InputFrom<TMachine>;
}

const contextOf = (snapshot: unknown): Record<string, unknown> => {
  const context = (snapshot as { context?: unknown } | null)?.context;
  return typeof context === 'object' && context !== null ? (context as Record<string, unknown>) : {};
};

export const chatDialogue: Dialogue<typeof chatMachine> = {
  machine: chatMachine,
  version: CHAT_MACHINE_VERSION,
  carryOver(snapshot): ChatInput {
    const { buttonColor } = contextOf(snapshot);
    return typeof buttonColor === 'string' ? { buttonColor } : {};
  },
};
