import type { NatsConnection } from '@nats-io/transport-node';
import type { InspectionEvent } from 'xstate';
import { inspectSubject, type InspectionReport } from '../../shared/inspection.js';
import { chatTag } from '../../shared/logger.js';

/** What the root actor's state was at an inspection event; only the two kinds a diagram needs. */
function reportOf(tag: string, event: InspectionEvent): InspectionReport | undefined {
  // Invoked actors (billing, SMS calls) report too; the diagram is of the chat machine alone.
  if (event.actorRef.sessionId !== event.rootId) return undefined;
  if (event.type === '@xstate.snapshot') {
    return { chat: tag, type: event.type, state: (event.snapshot as { value?: unknown }).value, event: event.event?.type };
  }
  if (event.type === '@xstate.event') {
    // The state the event arrives in; the snapshot event that follows has the state it led to.
    return { chat: tag, type: event.type, state: (event.actorRef.getSnapshot() as { value?: unknown } | undefined)?.value, event: event.event?.type };
  }
  return undefined;
}

/**
 * An `inspect` callback for one chat's turn that publishes compact reports on core NATS under
 * `inspect.chat.<tag>`. It never throws: inspection must not be able to fail a turn.
 */
export function inspectorFor(nc: NatsConnection, chatId: string): (event: InspectionEvent) => void {
  const tag = chatTag(chatId);
  const subject = inspectSubject(tag);
  return (event) => {
    try {
      const report = reportOf(tag, event);
      if (report) nc.publish(subject, JSON.stringify(report));
    } catch {
      // A closed connection while stopping: the report is only for watching, drop it.
    }
  };
}
