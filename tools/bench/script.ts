import { fileContentCatalog } from '../../shared/adapters/file-content-catalog.js';
import type { Reply } from '../../shared/contracts/reply.js';
import { chatDialogue } from '../../machines/dialogue.js';
import { activate, persist, step } from '../../services/worker/index.js';

/**
 * What each benchmark chat says; no line needs billing or SMS. `short`: the menu, then one of its
 * items, so every chat's first turn of two activates its actor. `long`: eight turns through the
 * information sections and back to the menu, so a chat stays hot for seven turns after activation.
 */
export const BENCH_SCRIPTS = {
  short: ['Начать', 'Сервисный центр'],
  long: [
    'Начать',
    'Сервисный центр',
    'В меню',
    'Личный кабинет',
    'Инструкция для работы в Личном кабинете',
    'В меню',
    'Заключить договор',
    'Необходимые документы',
  ],
} as const satisfies Record<string, readonly string[]>;

export type BenchScriptName = keyof typeof BENCH_SCRIPTS;

export interface ScriptInProcess {
  /** What the machine says to each line. */
  repliesPerLine: Reply[][];
  /** The chat's persisted snapshot after the script, as a worker saves it. */
  snapshot: unknown;
}

/**
 * The script run through the machine in this process as the chat `chatId` (its id names its
 * channel), step by step as a worker's chat actor runs it (none of its lines asks for a side
 * effect), the state persisted through JSON after each.
 */
export async function runScriptInProcess(
  script: readonly string[] = BENCH_SCRIPTS.short,
  chatId = 'bench-expected',
): Promise<ScriptInProcess> {
  const dialogue = chatDialogue(await fileContentCatalog().load());
  let { snapshot } = activate(dialogue, chatId, null);
  const repliesPerLine: Reply[][] = [];
  for (const [index, text] of script.entries()) {
    const next = step(dialogue, snapshot, { type: 'chat.text', text, id: `expected-${index}`, at: Date.now() });
    if (next.effects.length > 0) throw new Error(`the bench script's «${text}» asks for ${next.effects[0]!.src}`);
    // A turn is timed by its last reply: a line that makes the bot say nothing could not be timed.
    if (next.replies.length === 0) throw new Error(`the bench script's «${text}» gets no reply`);
    snapshot = next.snapshot;
    repliesPerLine.push(next.replies);
  }
  return { repliesPerLine, snapshot: JSON.parse(JSON.stringify(persist(dialogue, snapshot))) };
}
