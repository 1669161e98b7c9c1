import type { AnyStateMachine } from 'xstate';
import { toMermaid } from './mermaid.js';

export interface Diagram {
  /** File name without extension: 'overview', or the section's state key. */
  name: string;
  title: string;
  /** Mermaid text. */
  text: string;
}

/**
 * The diagrams of one machine: an overview of its top-level states, then one per top-level state
 * that has something to draw (the initial state is only the way in, and the overview shows it).
 */
export function machineDiagrams(machine: AnyStateMachine): Diagram[] {
  const initial = machine.root.initial?.target?.[0];
  const sections = Object.values(machine.root.states).filter((node) => node !== initial);
  return [
    { name: 'overview', title: `${machine.id}: overview (top-level states)`, text: toMermaid(machine, { depth: 1 }) },
    ...sections.map((node) => ({
      name: node.key,
      title: `${machine.id}: ${node.key}`,
      text: toMermaid(machine, { root: node.id }),
    })),
  ];
}

/** The index page of the diagrams folder, made with them so it never lists a missing picture. */
export function diagramsReadme(diagrams: readonly Diagram[]): string {
  const sections = diagrams.map((d) => `## ${d.title}\n\n[${d.name}.mmd](${d.name}.mmd)\n\n![](${d.name}.svg)\n`);
  return [
    '# Diagrams of the dialogue machines',
    '',
    'Drawn from the machine definitions by `npm run diagrams` (do not edit by hand). `npm run diagrams -- --check`',
    'and the test `test/model/diagrams-current.test.ts` fail when a committed `.mmd` no longer matches the code.',
    '',
    'Arrows are labelled with the event and, in brackets, its guard in words (`done`/`error` are the',
    'invoked actor settling, `always` an eventless transition, `timer after <delay>` a durable timer (XState’s',
    '`after`, kept on the bus by the worker and fired into the chat’s partition); ' +
      '«…» is a button pressed or its text typed;',
    'the words are each guard’s `description` in `machines/setup.ts`). A way out that most screens share, such',
    'as a main-menu item or «В меню», is drawn once from «most states»; «any state» stands for the',
    "machine's own transitions, taken wherever the dialogue is.",
    '',
    ...sections,
  ].join('\n');
}
