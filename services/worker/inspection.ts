import type { NatsConnection } from '@nats-io/transport-node';
import { inspectSubject, type InspectionReport } from '../../shared/contracts/inspection.js';
import { chatTag } from '../../shared/ops/logger.js';

/**
 * Reports one chat's transitions on core NATS under `inspect.chat.<tag>`, for the simulator's live
 * diagram: the state an event arrived in, then the state it led to. Only states and the event's
 * type leave the worker. It never throws: inspection must not be able to fail a turn.
 */
export function transitionReporter(
  nc: NatsConnection,
  chatId: string,
): (from: unknown, to: unknown, eventType: string) => void {
  const tag = chatTag(chatId);
  const subject = inspectSubject(tag);
  const publish = (report: InspectionReport) => nc.publish(subject, JSON.stringify(report));
  return (from, to, eventType) => {
    try {
      publish({ chat: tag, type: '@xstate.event', state: from, event: eventType });
      publish({ chat: tag, type: '@xstate.snapshot', state: to, event: eventType });
    } catch {
      // A closed connection while stopping: the report is only for watching, drop it.
    }
  };
}
