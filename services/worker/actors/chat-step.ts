import { createActor, type AnyActorScope, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';
import type { Dialogue } from '../../../machines/dialogue.js';
import type { ChatMachineEvent } from '../../../machines/events.js';
import type { Reply } from '../../../shared/contracts/reply.js';

/**
 * A chat's dialogue as pure steps over XState's `transition()`: the machine decides and says, and
 * nothing runs. An invoked side effect is not started here; it comes back as a request that the
 * worker runs only after the state asking for it has been saved, and whose outcome it feeds back
 * as XState's own done or error event for that child. Restoring a snapshot starts nothing either.
 */

/** A side effect the machine asked for: its invoked child's id, the actor it names, its input. */
export interface EffectRequest {
  childId: string;
  src: string;
  input: unknown;
}

/**
 * A delayed event the machine armed (XState's `after`, or `raise` with a delay) or cancelled (on
 * leaving the state that armed it), in the order the step did them. XState would keep these in
 * memory; the worker makes them durable timers (shared/bus/timers.ts).
 */
export type TimerRequest =
  { arm: { id: string; delay: number; event: { type: string } & Record<string, unknown> } } | { cancel: string };

export interface Step {
  snapshot: AnyMachineSnapshot;
  replies: Reply[];
  effects: EffectRequest[];
  timers: TimerRequest[];
}

/** How an effect ended, as the machine is told: its output, or a failure it can explain. */
export type EffectOutcome = { ok: true; output: unknown } | { ok: false; error: { message: string } };

interface ActionLike {
  type: string;
  params?: unknown;
}

const emittedReplies = (actions: readonly ActionLike[]): Reply[] =>
  actions.flatMap((action) => {
    const event = (action.params as { event?: { type?: string; reply?: Reply } } | undefined)?.event;
    return action.type === 'xstate.emit' && event?.type === 'reply' && event.reply ? [event.reply] : [];
  });

/** Children spawned by this step that are still there afterwards: the effects to run. */
const requestedEffects = (snapshot: AnyMachineSnapshot, actions: readonly ActionLike[]): EffectRequest[] =>
  actions.flatMap((action) => {
    if (action.type !== 'xstate.spawnChild') return [];
    const { id, src, input } = action.params as { id: string; src: unknown; input: unknown };
    return typeof src === 'string' && snapshot.children[id] ? [{ childId: id, src, input }] : [];
  });

/** Delayed raises and cancels, as pure `transition()` returns them instead of running timers. */
const requestedTimers = (actions: readonly ActionLike[]): TimerRequest[] =>
  actions.flatMap((action): TimerRequest[] => {
    if (action.type === 'xstate.cancel') return [{ cancel: String((action.params as { sendId: unknown }).sendId) }];
    if (action.type !== 'xstate.raise') return [];
    const { event, id, delay } = action.params as {
      event: { type: string } & Record<string, unknown>;
      id?: string;
      delay?: number;
    };
    // A raise without a delay was handled inside the step already.
    if (typeof delay !== 'number') return [];
    return [{ arm: { id: id ?? event.type, delay: Math.max(0, delay), event } }];
  });

function resolved(snapshot: AnyMachineSnapshot, actions: readonly ActionLike[]): Step {
  if (snapshot.status === 'error') throw new Error(`the machine failed: ${String(snapshot.error)}`);
  return {
    snapshot,
    replies: emittedReplies(actions),
    effects: requestedEffects(snapshot, actions),
    timers: requestedTimers(actions),
  };
}

/**
 * XState's pure `transition()` and `initialTransition()` build a throwaway actor on every call, and
 * that actor computes the machine's initial state: a second machine step for each step of a chat
 * (a tenth of a worker's CPU). One inert scope per machine does instead. Sharing it is safe because
 * a step is synchronous and starts nothing, and because no child of the dialogue has a `systemId`
 * (the only thing a scope's actor system would remember between steps).
 */
const inertScopes = new WeakMap<AnyStateMachine, AnyActorScope>();

function inertScope(machine: AnyStateMachine): AnyActorScope {
  let scope = inertScopes.get(machine);
  if (!scope) {
    const self = createActor(machine);
    scope = {
      self,
      defer: () => {},
      id: '',
      logger: () => {},
      sessionId: '',
      stopChild: () => {},
      system: self.system,
      emit: () => {},
      actionExecutor: () => {},
    } as AnyActorScope;
    inertScopes.set(machine, scope);
  }
  return scope;
}

/** Runs one pure computation of the machine, collecting the actions it would execute instead. */
function purely(machine: AnyStateMachine, compute: (scope: AnyActorScope) => unknown): Step {
  const scope = inertScope(machine);
  const actions: ActionLike[] = [];
  scope.actionExecutor = (action) => void actions.push(action as ActionLike);
  try {
    return resolved(compute(scope) as AnyMachineSnapshot, actions);
  } finally {
    scope.actionExecutor = () => {};
  }
}

/** One event through the machine: a chat event, or a durable timer's event as XState scheduled it. */
export function step(
  dialogue: Dialogue,
  snapshot: AnyMachineSnapshot,
  event: ChatMachineEvent | { type: string },
): Step {
  const { machine } = dialogue;
  return purely(machine, (scope) => machine.transition(snapshot, event, scope));
}

/** The machine told how one of its effects ended, in XState's own terms for an invoked child. */
export function settle(
  dialogue: Dialogue,
  snapshot: AnyMachineSnapshot,
  childId: string,
  outcome: EffectOutcome,
  meta: { id: string; at: number },
): Step {
  const event = outcome.ok
    ? { type: `xstate.done.actor.${childId}`, output: outcome.output, actorId: childId, ...meta }
    : { type: `xstate.error.actor.${childId}`, error: outcome.error, actorId: childId, ...meta };
  const { machine } = dialogue;
  return purely(machine, (scope) => machine.transition(snapshot, event, scope));
}

/** Is the child still waiting for its outcome? A state left since then has stopped it. */
export const awaits = (snapshot: AnyMachineSnapshot, childId: string): boolean =>
  snapshot.children[childId] !== undefined;

export interface Activation {
  snapshot: AnyMachineSnapshot;
  /** True when the saved state could not be restored and the chat started afresh. */
  reset: boolean;
}

/**
 * A chat's snapshot from what the store holds. A snapshot of another machine version, or one
 * naming a state this code no longer has, starts the chat afresh keeping its settings.
 */
export function activate(
  dialogue: Dialogue,
  chatId: string,
  saved: { snapshot: unknown; machineVersion: number } | null,
): Activation {
  if (saved && saved.machineVersion === dialogue.version) {
    const restored = tryRestore(dialogue, saved.snapshot);
    if (restored) return { snapshot: restored, reset: false };
  }
  const { machine } = dialogue;
  const input = dialogue.input(chatId, saved?.snapshot ?? null);
  const fresh = purely(machine, (scope) => machine.getInitialSnapshot(scope, input)).snapshot;
  return { snapshot: fresh, reset: saved !== null };
}

function tryRestore(dialogue: Dialogue, persisted: unknown): AnyMachineSnapshot | undefined {
  try {
    // Resolves the snapshot and its children; starts nothing.
    const { machine } = dialogue;
    const snapshot = machine.restoreSnapshot(persisted as never, inertScope(machine)) as AnyMachineSnapshot;
    return snapshot.status === 'active' ? snapshot : undefined;
  } catch {
    return undefined;
  }
}

/** What the store keeps of a snapshot. */
export const persist = (dialogue: Dialogue, snapshot: AnyMachineSnapshot): unknown =>
  dialogue.machine.getPersistedSnapshot(snapshot);
