import type { ArmedTimer } from '../../../shared/contracts/timer.js';
import type { TimerRequest } from './chat-step.js';

export interface TimerChanges {
  /** What the saved record holds armed after the step. */
  armed: ArmedTimer[];
  /** Armed in this step: their schedules are stored once the step is saved. */
  scheduled: ArmedTimer[];
  /** Ids armed before and cancelled in this step (and not armed again): their schedules are removed. */
  cancelled: string[];
}

/**
 * Applies a step's timer requests, in order, to the timers the record holds. Each arming gets a
 * token of its own (the cause's id and the timer id), so a timer of the same id armed again (a
 * state left and entered again) never lets the earlier arming fire. The timer that fired leaves
 * the armed set before the step's requests apply.
 */
export function armTimers(
  before: readonly ArmedTimer[],
  requests: readonly TimerRequest[],
  options: { causeId: string; now: number; fired?: string },
): TimerChanges {
  const armed = new Map(before.filter((timer) => timer.token !== options.fired).map((timer) => [timer.id, timer]));
  const stored = new Set(before.filter((timer) => timer.token !== options.fired).map((timer) => timer.id));
  const scheduled = new Map<string, ArmedTimer>();
  const cancelled = new Set<string>();
  for (const request of requests) {
    if ('cancel' in request) {
      scheduled.delete(request.cancel);
      // Only a schedule already stored needs removing (one stored in this step never was).
      if (armed.delete(request.cancel) && stored.has(request.cancel)) cancelled.add(request.cancel);
      continue;
    }
    const { id, delay, event } = request.arm;
    const timer: ArmedTimer = { id, token: `${options.causeId}~${id}`, at: options.now + delay, event };
    armed.set(id, timer);
    scheduled.set(id, timer);
    // Armed again: its subject gets the new schedule (one per subject), nothing to remove.
    cancelled.delete(id);
  }
  return { armed: [...armed.values()], scheduled: [...scheduled.values()], cancelled: [...cancelled] };
}
