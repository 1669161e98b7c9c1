import type { AnyStateNode, AnyTransitionDefinition } from 'xstate';

/** Every transition leaving a state node: its events (done and error of invoked actors included), then `always`. */
export const transitionsOf = (node: AnyStateNode): AnyTransitionDefinition[] => [
  ...[...node.transitions.values()].flat(),
  ...(node.always ?? []),
];

/**
 * The event of a transition as a reader knows it: done/error of an invoked actor, always, a timer,
 * or the event type.
 */
export function eventLabel(transition: AnyTransitionDefinition): string {
  const type = String(transition.eventType);
  if (type === '') return 'always';
  if (type.startsWith('xstate.done.actor.')) return 'done';
  if (type.startsWith('xstate.error.actor.')) return 'error';
  // XState's delayed event, `xstate.after.<delay>.<state id>`: a durable timer the worker keeps on the bus.
  if (type.startsWith('xstate.after.')) return `timer: after ${type.slice('xstate.after.'.length).split('.')[0]}`;
  return type;
}

/** A state node and all its descendants, in document order. */
export const subtreeOf = (node: AnyStateNode): AnyStateNode[] => [
  node,
  ...Object.values(node.states).flatMap(subtreeOf),
];

/** A transition's name that survives `machine.provide` (which copies the state nodes): source, event, position. */
export function transitionKey(transition: AnyTransitionDefinition): string {
  const index = transitionsOf(transition.source).indexOf(transition);
  return `${transition.source.id} ${eventLabel(transition)} #${index}`;
}
