import { createActor, waitFor, type AnyActorRef, type AnyStateMachine, type InspectionEvent, type Snapshot } from 'xstate';
import type { Reply } from '../../shared/reply.js';
import type { ChatMachineEvent, ReplyEmitted } from '../../machines/events.js';
import type { Dialogue } from '../../machines/dialogue.js';

export class TurnError extends Error {
  override name = 'TurnError';
}

export interface TurnInput {
  dialogue: Dialogue;
  chatId: string;
  /** The saved snapshot and the machine version it was made with, or null for a new chat. */
  saved: { snapshot: unknown; machineVersion: number } | null;
  event: ChatMachineEvent;
  /** How long the turn may wait for its invoked actors (billing, SMS) to settle. */
  timeoutMs: number;
  inspect?: (event: InspectionEvent) => void;
}

export interface TurnResult {
  snapshot: Snapshot<unknown>;
  replies: Reply[];
  /** True when the saved state could not be restored and the chat started afresh. */
  reset: boolean;
}

const hasActiveChildren = (actor: AnyActorRef): boolean =>
  Object.values(actor.getSnapshot().children as Record<string, AnyActorRef | undefined>).some(
    (child) => child?.getSnapshot().status === 'active',
  );

function startActor(machine: AnyStateMachine, options: Parameters<typeof createActor>[1], replies: Reply[]) {
  const actor = createActor(machine, options);
  let failure: unknown;
  // Without an error subscriber a failed restore or action would crash the process.
  actor.subscribe({ error: (error) => (failure = error) });
  actor.on('reply', (emitted: ReplyEmitted) => replies.push(emitted.reply));
  actor.start();
  return { actor, failure: () => failure ?? (actor.getSnapshot().status === 'error' ? actor.getSnapshot().error : undefined) };
}

/**
 * One dialogue turn: restore the chat's actor, give it the event, wait until its invoked actors
 * have settled, and return the snapshot to persist with the replies to send after the save.
 * Nothing is persisted while a side effect is still running, so a restore never re-runs one.
 */
export async function runTurn(input: TurnInput): Promise<TurnResult> {
  const { dialogue, chatId, saved, event, timeoutMs, inspect } = input;
  const replies: Reply[] = [];
  let reset = false;

  let started =
    saved && saved.machineVersion === dialogue.version
      ? startActor(dialogue.machine, { snapshot: saved.snapshot as Snapshot<unknown>, inspect }, replies)
      : null;
  if (!started || started.failure()) {
    // A state this version no longer has, or a snapshot from another version: start afresh,
    // keeping the chat's settings.
    reset = saved !== null;
    started?.actor.stop();
    started = startActor(dialogue.machine, { input: dialogue.input(chatId, saved?.snapshot ?? null), inspect }, replies);
  }
  const { actor, failure } = started;

  actor.send(event);
  if (hasActiveChildren(actor)) {
    await waitFor(actor, () => !hasActiveChildren(actor), { timeout: timeoutMs }).catch(() => {
      throw new TurnError(`side effects did not settle within ${timeoutMs} ms`);
    });
  }
  const error = failure();
  const snapshot = actor.getPersistedSnapshot();
  actor.stop();
  if (error) throw new TurnError(`the machine failed: ${error instanceof Error ? error.message : String(error)}`);
  return { snapshot, replies, reset };
}
