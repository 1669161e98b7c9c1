import type { AnyStateMachine, AnyStateNode, InspectionEvent } from 'xstate';
import { subtreeOf, transitionKey, transitionsOf } from '../../machines/diagram/state-nodes.js';

/** The state nodes entered and the transitions taken while turns ran, from the actors' inspection events. */
export class CoverageRecorder {
  readonly states = new Set<string>();
  readonly transitions = new Set<string>();

  readonly inspect = (event: InspectionEvent) => {
    if (event.type === '@xstate.microstep')
      for (const transition of event._transitions) this.transitions.add(transitionKey(transition));
    if (event.type === '@xstate.microstep' || event.type === '@xstate.snapshot') {
      // Only machine snapshots have state nodes; the invoked promises' snapshots do not.
      for (const node of (event.snapshot as { _nodes?: AnyStateNode[] })._nodes ?? []) this.states.add(node.id);
    }
  };
}

export interface CoverageRow {
  section: string;
  states: { covered: number; total: number; missed: string[] };
  transitions: { covered: number; total: number; missed: string[] };
}

function row(section: string, nodes: readonly AnyStateNode[], recorder: CoverageRecorder): CoverageRow {
  const stateIds = nodes.map((node) => node.id);
  const transitionKeys = nodes.flatMap((node) => transitionsOf(node).map(transitionKey));
  const missedStates = stateIds.filter((id) => !recorder.states.has(id));
  const missedTransitions = transitionKeys.filter((key) => !recorder.transitions.has(key));
  return {
    section,
    states: { covered: stateIds.length - missedStates.length, total: stateIds.length, missed: missedStates },
    transitions: {
      covered: transitionKeys.length - missedTransitions.length,
      total: transitionKeys.length,
      missed: missedTransitions,
    },
  };
}

/** One row per top-level state (a section of the dialogue), one for the machine's own transitions, and the total. */
export function coverageRows(machine: AnyStateMachine, recorder: CoverageRecorder): CoverageRow[] {
  const sections = Object.values(machine.root.states).map((node) => row(node.key, subtreeOf(node), recorder));
  return [...sections, row('(any state)', [machine.root], recorder), row('total', subtreeOf(machine.root), recorder)];
}

const percent = (part: { covered: number; total: number }) =>
  `${part.covered}/${part.total}`.padEnd(8) +
  `${part.total ? Math.round((100 * part.covered) / part.total) : 100}%`.padStart(5);

export function formatCoverage(rows: readonly CoverageRow[]): string {
  const lines = [`${'section'.padEnd(16)}${'states'.padEnd(15)}transitions`];
  for (const r of rows) lines.push(`${r.section.padEnd(16)}${percent(r.states).padEnd(15)}${percent(r.transitions)}`);
  const missed = rows.filter((r) => r.section !== 'total').flatMap((r) => r.transitions.missed);
  if (missed.length > 0) lines.push('', 'transitions not taken:', ...missed.map((key) => `  ${key}`));
  return lines.join('\n');
}
