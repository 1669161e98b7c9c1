import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';
import { eventLabel, transitionsOf } from './state-nodes.js';

export interface MermaidOptions {
  /** A state id such as 'chat.readings': draw only that subtree (targets outside it are drawn as plain states). */
  root?: string;
  /** State ids to highlight. */
  highlight?: string[];
  /** How many levels below the drawn root to show; deeper states are folded into their ancestor. */
  depth?: number;
}

/** Where a drawn edge goes and what it says. */
interface Edge {
  from: string;
  to: string;
  labels: string[];
  /** The innermost drawn composite holding both ends ('' for the top level): Mermaid wants the edge written there. */
  scope: string;
}

const ANY_STATE = 'any_state';
const MOST_STATES = 'most_states';

/** One transition as drawn, before arrows with the same ends are merged. */
interface Arrow {
  from: string;
  to: string;
  scope: string;
  label: string;
  event: string;
  /** Whether it goes to a state outside the drawn box (on the whole machine's page, every state is). */
  outward: boolean;
}

const MAX_LABEL = 60;

/** Mermaid ids: letters, digits and underscores only. */
const mermaidId = (node: AnyStateNode) => node.id.replace(/[^A-Za-z0-9_]/g, '_');

/** Text Mermaid shows as is: no quotes, colons, semicolons, hashes or brackets that its parser would read. */
export const mermaidText = (text: string) => {
  const cleaned = text
    .replace(/["'`:;#{}<>|]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned.length > MAX_LABEL ? `${cleaned.slice(0, MAX_LABEL - 1)}…` : cleaned;
};

const isWithin = (node: AnyStateNode, ancestor: AnyStateNode) => {
  for (let n: AnyStateNode | undefined = node; n; n = n.parent) if (n === ancestor) return true;
  return false;
};

const ancestors = (node: AnyStateNode): AnyStateNode[] => (node.parent ? [node.parent, ...ancestors(node.parent)] : []);

/** A guard's name as words: `isReadingBelowPrevious` → «reading below previous». */
export const guardWords = (name: string) =>
  name
    .replace(/^is(?=[A-Z])/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase();

type Description = string | ((params: unknown) => string);

/**
 * What an arrow says about its guard, so a diagram reads like the manual («chat.text [reading below
 * previous]»): the words the guard's implementation carries as `description` (made from the
 * parameters written in the machine, when it takes some), else its name as words; `and`, `or` and
 * `not` combine their parts. An inline function has no name: it is drawn as «unnamed guard», so a
 * guarded arrow never passes for an unguarded one.
 */
export function guardLabel(machine: AnyStateMachine, guard: unknown): string | undefined {
  if (guard === undefined || guard === null) return undefined;
  const implementations = (machine.implementations?.guards ?? {}) as Record<
    string,
    { description?: Description } | undefined
  >;
  const named = (type: string, params: unknown) => {
    const description = implementations[type]?.description;
    if (typeof description === 'string') return description;
    // Parameters made from the context or event at run time are not known to a drawing.
    if (typeof description === 'function' && params !== undefined && typeof params !== 'function')
      return description(params);
    return guardWords(type);
  };
  if (typeof guard === 'string') return named(guard, undefined);
  if (typeof guard === 'object' && typeof (guard as { type?: unknown }).type === 'string') {
    const { type, params } = guard as { type: string; params?: unknown };
    return named(type, params);
  }
  if (typeof guard === 'function') {
    const parts = (guard as { guards?: unknown[] }).guards;
    if (Array.isArray(parts)) {
      const labels = parts.map((part) => guardLabel(machine, part) ?? 'unnamed guard');
      if (guard.name === 'not') return `not ${labels[0]}`;
      return labels.join(guard.name === 'or' ? ' or ' : ' and ');
    }
  }
  return 'unnamed guard';
}

const transitionLabel = (machine: AnyStateMachine, transition: AnyTransitionDefinition) => {
  const guard = guardLabel(machine, transition.guard);
  return mermaidText(guard ? `${eventLabel(transition)} [${guard}]` : eventLabel(transition));
};

const invokedSources = (node: AnyStateNode) =>
  node.invoke.map((invoke) => (typeof invoke.src === 'string' ? invoke.src : invoke.id));

/**
 * A Mermaid `stateDiagram-v2` drawing of a machine, or of one subtree of it, made from the state
 * nodes themselves so it cannot drift from the code: composite states nest, each transition is an
 * arrow labelled with its event and, where it has one, its guard in words; transitions without a
 * target are loops, and invoked actors are written inside their state. The machine's own
 * transitions start at an «any state» stand-in; a way out that most screens share (a main-menu item
 * typed anywhere) starts once at a «most states» stand-in instead of at every screen.
 */
export function toMermaid(machine: AnyStateMachine, options: MermaidOptions = {}): string {
  const root: AnyStateNode = options.root ? machine.getStateNodeById(options.root) : machine.root;
  const drawingWholeMachine = root === machine.root;
  const maxDepth = options.depth ?? Infinity;
  const levelOf = (node: AnyStateNode) => node.path.length - root.path.length;

  /** The node as drawn: itself, or its ancestor at the depth limit. */
  const shown = (node: AnyStateNode): AnyStateNode => {
    let n = node;
    while (isWithin(n, root) && levelOf(n) > maxDepth && n.parent) n = n.parent;
    return n;
  };
  const isComposite = (node: AnyStateNode) =>
    isWithin(node, root) && Object.keys(node.states).length > 0 && levelOf(node) < maxDepth;
  /** The whole machine's root is the page itself, not a box on it. */
  const isBox = (node: AnyStateNode) => !(drawingWholeMachine && node === root);
  const boxId = (node: AnyStateNode) => (isBox(node) ? mermaidId(node) : '');

  const external = new Map<string, AnyStateNode>();
  const edges = new Map<string, Edge>();

  const scopeOf = (from: AnyStateNode, to: AnyStateNode): string => {
    const holding = ancestors(from).find(
      (a) => isWithin(to, a) && a !== to && isWithin(a, root) && isComposite(a) && isBox(a),
    );
    return holding ? mermaidId(holding) : '';
  };

  const addEdge = (fromId: string, toId: string, scope: string, label: string) => {
    const key = `${fromId}->${toId}`;
    const edge = edges.get(key) ?? { from: fromId, to: toId, labels: [], scope };
    if (!edge.labels.includes(label)) edge.labels.push(label);
    edges.set(key, edge);
  };

  /** Every arrow as drawn: folded to the depth limit, targetless transitions as loops. */
  const arrows: Arrow[] = [];
  const collectArrows = (node: AnyStateNode) => {
    const source = shown(node);
    for (const transition of transitionsOf(node)) {
      const targets = transition.target?.length ? transition.target : [null];
      for (const rawTarget of targets) {
        const target = rawTarget ? shown(rawTarget) : source;
        // A fold hides what happens inside the folded state.
        if (target === source && (source !== node || (rawTarget && rawTarget !== target))) continue;
        if (!isWithin(target, root)) external.set(target.id, target);
        // The machine's own transitions apply in any state: drawn from a stand-in for "any state".
        const fromAnyState = node === root && drawingWholeMachine;
        arrows.push({
          from: fromAnyState ? ANY_STATE : mermaidId(source),
          to: fromAnyState && target === root ? ANY_STATE : mermaidId(target),
          scope: fromAnyState ? '' : scopeOf(source, target),
          label: transitionLabel(machine, transition),
          event: eventLabel(transition),
          outward: drawingWholeMachine || target === root || !isWithin(target, root),
        });
      }
    }
    for (const child of Object.values(node.states)) collectArrows(child);
  };
  collectArrows(root);

  // The same way out taken from most screens (the main-menu items, «В меню») is drawn once, from a
  // stand-in, instead of from every screen: the picture stays about the flow.
  const screens = new Set(
    arrows.filter((a) => a.from !== ANY_STATE && !['always', 'done', 'error'].includes(a.event)).map((a) => a.from),
  );
  const sourcesOf = new Map<string, Set<string>>();
  for (const arrow of arrows)
    if (screens.has(arrow.from))
      sourcesOf.set(
        `${arrow.to} ${arrow.label}`,
        (sourcesOf.get(`${arrow.to} ${arrow.label}`) ?? new Set()).add(arrow.from),
      );
  const isShared = (arrow: Arrow) => {
    const sources = sourcesOf.get(`${arrow.to} ${arrow.label}`)?.size ?? 0;
    return (
      arrow.outward && screens.has(arrow.from) && arrow.from !== arrow.to && sources > 1 && sources * 2 >= screens.size
    );
  };
  for (const arrow of arrows) {
    if (isShared(arrow)) addEdge(MOST_STATES, arrow.to, '', arrow.label);
    else addEdge(arrow.from, arrow.to, arrow.scope, arrow.label);
  }

  const lines: string[] = ['stateDiagram-v2'];
  const emitEdges = (scope: string, indent: string) => {
    for (const edge of edges.values())
      if (edge.scope === scope) lines.push(`${indent}${edge.from} --> ${edge.to} : ${edge.labels.join(', ')}`);
  };

  const relativeName = (node: AnyStateNode) => node.path.slice(machine.root.path.length).join('.') || node.key;

  const emitState = (node: AnyStateNode, indent: string) => {
    const id = mermaidId(node);
    if (isComposite(node) && isBox(node)) {
      lines.push(`${indent}state "${mermaidText(node.key)}" as ${id} {`);
      emitContents(node, `${indent}  `);
      lines.push(`${indent}}`);
    } else if (isBox(node)) {
      lines.push(`${indent}state "${mermaidText(node.key)}" as ${id}`);
    }
    if (isBox(node) && levelOf(node) <= maxDepth) {
      for (const src of invokedSources(node)) lines.push(`${indent}${id} : invoke ${mermaidText(src)}`);
    }
  };

  const emitContents = (node: AnyStateNode, indent: string) => {
    const initial = node.initial?.target?.[0];
    if (initial) lines.push(`${indent}[*] --> ${mermaidId(shown(initial))}`);
    for (const child of Object.values(node.states)) emitState(child, indent);
    if (boxId(node) !== '') emitEdges(boxId(node), indent);
  };

  if (drawingWholeMachine) {
    emitContents(root, '  ');
  } else {
    emitState(root, '  ');
  }
  if ([...edges.values()].some((edge) => edge.from === ANY_STATE)) lines.push(`  state "any state" as ${ANY_STATE}`);
  if ([...edges.values()].some((edge) => edge.from === MOST_STATES))
    lines.push(`  state "most states" as ${MOST_STATES}`);
  for (const node of external.values())
    lines.push(`  state "${mermaidText(relativeName(node))}" as ${mermaidId(node)}`);
  emitEdges('', '  ');

  const highlighted = (options.highlight ?? []).map((id) => machine.getStateNodeById(id)).map(mermaidId);
  if (highlighted.length > 0) {
    lines.push('  classDef highlight fill:#ffe082,stroke:#e65100,stroke-width:3px');
    lines.push(`  class ${highlighted.join(',')} highlight`);
  }
  return `${lines.join('\n')}\n`;
}
