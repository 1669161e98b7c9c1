import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { toMermaid } from '../../machines/diagram/mermaid.js';
import { dropOldest } from '../../shared/ops/bounded-map.js';

/**
 * The whole dialogue, or what matters now: the section (top-level compound state) the chat is in,
 * or, outside every section, the overview of the sections folded. Both are easier to read.
 */
export type DiagramScope = 'all' | 'section';

export interface DiagramView {
  /** Mermaid stateDiagram-v2 text. */
  mermaid: string;
  /** The id of the section drawn when scoped to one, e.g. `chat.readings`. */
  root?: string;
  /** The ids of the current (innermost active) states, highlighted. */
  current: string[];
}

/**
 * The active state nodes of a state value, ancestors first, found by walking the machine's own
 * nodes (so custom state ids work). The value comes from a query string: names the machine does
 * not have are skipped.
 */
export function activeNodes(node: AnyStateNode, value: unknown): AnyStateNode[] {
  const child = (key: string): AnyStateNode | undefined =>
    Object.hasOwn(node.states, key) ? node.states[key] : undefined;
  if (typeof value === 'string') return [child(value)].filter((n): n is AnyStateNode => n !== undefined);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => {
    const found = child(key);
    return found ? [found, ...activeNodes(found, inner)] : [];
  });
}

const isLeaf = (node: AnyStateNode) => Object.keys(node.states).length === 0;

/** The overview shows the top-level states only, each section one box. */
const OVERVIEW_DEPTH = 1;

/** Diagrams are the same for the same state: made once each, as chats move back and forth. */
const CACHE_SIZE = 200;

export function machineDiagrams(machine: AnyStateMachine): (state: unknown, scope: DiagramScope) => DiagramView {
  const cache = new Map<string, DiagramView>();
  return (state, scope) => {
    const key = JSON.stringify([state ?? null, scope]);
    const cached = cache.get(key);
    if (cached) return cached;
    const active = activeNodes(machine.root, state);
    const current = active.filter(isLeaf).map((node) => node.id);
    const section = active[0] && !isLeaf(active[0]) ? active[0].id : undefined;
    const root = scope === 'section' ? section : undefined;
    const overview = scope === 'section' && root === undefined;
    const mermaid = toMermaid(machine, {
      ...(root ? { root } : {}),
      ...(overview ? { depth: OVERVIEW_DEPTH } : {}),
      highlight: current,
    });
    const view: DiagramView = { mermaid, ...(root ? { root } : {}), current };
    cache.set(key, view);
    dropOldest(cache, CACHE_SIZE);
    return view;
  };
}
