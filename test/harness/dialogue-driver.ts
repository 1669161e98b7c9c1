import { fileContentCatalog } from '../../shared/content.js';
import type { Reply } from '../../shared/reply.js';
import type { ChatMachineEvent } from '../../machines/events.js';
import { chatDialogue } from '../../machines/dialogue.js';
import { provideEffects, type EffectPorts } from '../../services/worker/effects.js';
import { runTurn } from '../../services/worker/turn.js';

export const content = await fileContentCatalog().load();

type EventWithoutBase = ChatMachineEvent extends infer E ? (E extends ChatMachineEvent ? Omit<E, 'id' | 'at'> : never) : never;

/**
 * Talks to the chat machine turn by turn exactly as a worker does (restore, event, settle,
 * persist through JSON), with the given ports behind its side effects.
 */
export function dialogueDriver(ports: EffectPorts, options: { chatId?: string; now?: () => number } = {}) {
  const base = chatDialogue(content);
  const dialogue = { ...base, machine: provideEffects(base.machine, ports) };
  let saved: { snapshot: unknown; machineVersion: number } | null = null;
  let counter = 0;

  async function send(event: EventWithoutBase): Promise<Reply[]> {
    const full = { ...event, id: `e${++counter}`, at: options.now?.() ?? Date.now() } as ChatMachineEvent;
    const turn = await runTurn({ dialogue, chatId: options.chatId ?? 'chat-1', saved, event: full, timeoutMs: 2_000 });
    saved = { snapshot: JSON.parse(JSON.stringify(turn.snapshot)), machineVersion: dialogue.version };
    return turn.replies;
  }

  const texts = (replies: Reply[]) => replies.map((r) => (r.kind === 'text' ? r.text : r.kind));
  const buttons = (replies: Reply[]) => replies.at(-1)?.keyboard?.buttons.map((b) => b.text) ?? [];

  return {
    send,
    say: (text: string) => send({ type: 'chat.text', text }),
    texts,
    buttons,
    state: () => (saved?.snapshot as { value: unknown; context: Record<string, unknown> }) ?? null,
  };
}
