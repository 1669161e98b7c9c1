/**
 * Live inspection of the chat actors, for developers (`INSPECT=1` on a worker): the wire contract
 * between the worker that reports and whoever listens (the simulator page). Core NATS, not
 * JetStream: a report nobody hears is simply lost, which is fine for a dev tool.
 *
 * A report names the chat by its tag (a digest of the id) and carries only the state and the
 * event's type: never what the customer typed, never the machine's context.
 */

export const INSPECT_SUBJECT_PREFIX = 'inspect.chat';

export const inspectSubject = (tag: string) => `${INSPECT_SUBJECT_PREFIX}.${tag}`;

/** Every chat's reports, for a listener. */
export const INSPECT_ALL_SUBJECT = `${INSPECT_SUBJECT_PREFIX}.>`;

export interface InspectionReport {
  chat: string;
  type: '@xstate.snapshot' | '@xstate.event';
  /** The root actor's state value: a state name, or nested names for a compound state. */
  state: unknown;
  /** The type of the event that caused it, e.g. `chat.text`. */
  event?: string;
}
