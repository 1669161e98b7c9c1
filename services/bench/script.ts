import { fileContentCatalog } from '../../shared/content.js';
import { chatDialogue } from '../../machines/dialogue.js';
import { runTurn } from '../worker/turn.js';

/** What each benchmark chat says: the menu, then one of its items. Neither needs billing or SMS. */
export const BENCH_SCRIPT = ['Начать', 'Сервисный центр'] as const;

/** A reply, or the Viber message it became, reduced to what identifies it in a chat's sequence. */
export function fingerprint(message: { type?: unknown; kind?: unknown; text?: unknown; media?: unknown; url?: unknown }): string {
  return `${String(message.type ?? message.kind)}:${String(message.text ?? message.media ?? message.url ?? '')}`;
}

export interface ScriptInProcess {
  /** The fingerprints of the replies to each line. */
  expectedPerLine: string[][];
  /** The chat's persisted snapshot after the script, as a worker saves it. */
  snapshot: unknown;
}

/** The script run through the machine in this process, turn by turn as a worker runs it. */
export async function runScriptInProcess(script: readonly string[] = BENCH_SCRIPT): Promise<ScriptInProcess> {
  const dialogue = chatDialogue(await fileContentCatalog().load());
  let saved: { snapshot: unknown; machineVersion: number } | null = null;
  const expectedPerLine: string[][] = [];
  for (const [index, text] of script.entries()) {
    const turn = await runTurn({ dialogue, chatId: 'bench-expected', saved, event: { type: 'chat.text', text, id: `expected-${index}`, at: Date.now() }, timeoutMs: 2_000 });
    saved = { snapshot: JSON.parse(JSON.stringify(turn.snapshot)), machineVersion: dialogue.version };
    expectedPerLine.push(turn.replies.map(fingerprint));
  }
  return { expectedPerLine, snapshot: saved?.snapshot };
}
