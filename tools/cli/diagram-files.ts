import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createChatMachine } from '../../machines/chat.machine.js';
import { diagramsReadme, machineDiagrams, type Diagram } from '../../machines/diagram/machine-diagrams.js';
import { fileContentCatalog } from '../../shared/adapters/file-content-catalog.js';

export const DIAGRAMS_DIR = fileURLToPath(new URL('../../docs/diagrams', import.meta.url));

export interface TextFile {
  file: string;
  text: string;
}

/** The chat machine's diagrams, drawn from its definition (the content only fills texts, not states). */
export async function chatDiagrams(): Promise<Diagram[]> {
  return machineDiagrams(createChatMachine(await fileContentCatalog().load()));
}

/** The text files committed in docs/diagrams: one .mmd per diagram and the README listing them. */
export const diagramTextFiles = (diagrams: readonly Diagram[]): TextFile[] => [
  ...diagrams.map((d) => ({ file: `${d.name}.mmd`, text: d.text })),
  { file: 'README.md', text: diagramsReadme(diagrams) },
];

const readOrNull = (path: string) => readFile(path, 'utf8').catch(() => null);

/** The committed files that differ from freshly generated ones, are missing, or are no longer generated. */
export async function staleDiagramFiles(expected: readonly TextFile[], dir = DIAGRAMS_DIR): Promise<string[]> {
  const stale: string[] = [];
  for (const { file, text } of expected) if ((await readOrNull(join(dir, file))) !== text) stale.push(file);
  const generated = new Set(expected.map((f) => f.file));
  const committed = await readdir(dir).catch(() => [] as string[]);
  for (const file of committed) if (file.endsWith('.mmd') && !generated.has(file)) stale.push(file);
  return stale;
}
