import type { NatsConnection } from '@nats-io/transport-node';
import { INSPECT_ALL_SUBJECT, type InspectionReport } from '../../shared/contracts/inspection.js';
import { isRecord } from '../../shared/contracts/is-record.js';
import type { Logger } from '../../shared/ops/logger.js';
import { dropOldest, touch } from '../../shared/ops/bounded-map.js';

/** A report as the page sees it: numbered per chat, so the page asks only for what is new. */
export interface NumberedReport extends Omit<InspectionReport, 'chat'> {
  n: number;
  at: number;
}

/** Enough for a readable trail of recent steps; older ones are of no use on a live diagram. */
const REPORTS_PER_CHAT = 60;
/** A long `npm start` with a benchmark in it sees many chats: forget the least recently active. */
const MAX_CHATS = 2_000;

/** The recent inspection reports of each chat, by chat tag. */
export class InspectionLog {
  private readonly chats = new Map<string, { next: number; reports: NumberedReport[] }>();

  add(report: InspectionReport, at = Date.now()): void {
    const chat = this.chats.get(report.chat) ?? { next: 1, reports: [] };
    // The map's order is the order of activity.
    touch(this.chats, report.chat, chat);
    chat.reports.push({
      n: chat.next++,
      at,
      type: report.type,
      state: report.state,
      ...(report.event === undefined ? {} : { event: report.event }),
    });
    if (chat.reports.length > REPORTS_PER_CHAT) chat.reports.shift();
    dropOldest(this.chats, MAX_CHATS);
  }

  since(tag: string, after: number): NumberedReport[] {
    return (this.chats.get(tag)?.reports ?? []).filter((report) => report.n > after);
  }
}

const isReport = (value: unknown): value is InspectionReport =>
  isRecord(value) && typeof value.chat === 'string' && typeof value.type === 'string';

/** Listens to every worker's reports (`inspect.chat.>`) until stopped. */
export function listenToInspection(nc: NatsConnection, log: InspectionLog, logger: Logger): { stop(): void } {
  const subscription = nc.subscribe(INSPECT_ALL_SUBJECT);
  void (async () => {
    for await (const message of subscription) {
      try {
        const report: unknown = message.json();
        if (isReport(report)) log.add(report);
      } catch {
        logger.warn({ subject: message.subject }, 'unreadable inspection report ignored');
      }
    }
  })();
  return { stop: () => subscription.unsubscribe() };
}
