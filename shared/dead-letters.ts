import type { JetStreamManager, JetStreamClient, JsMsg, StoredMsg } from '@nats-io/jetstream';
import { busHeaders, Headers, Streams } from './bus.js';

/**
 * Files a message under DEAD_LETTERS with where it came from and why it died; the caller then
 * acknowledges it, so nothing is dropped unseen and it stops holding its partition.
 */
export async function fileDeadLetter(js: JetStreamClient, msg: JsMsg, group: string, reason: string, deliveries: number): Promise<void> {
  await js.publish(`${Streams.DeadLetters.subject}.${group}`, msg.data, {
    headers: busHeaders({
      [Headers.OriginalSubject]: msg.subject,
      [Headers.OriginalSequence]: String(msg.seq),
      [Headers.DeathReason]: reason.slice(0, 500),
      [Headers.Deliveries]: String(deliveries),
      [Headers.CorrelationId]: msg.headers?.get(Headers.CorrelationId) ?? '',
    }),
  });
}

export interface DeadLetter {
  seq: number;
  group: string;
  originalSubject: string;
  reason: string;
  deliveries: number;
  correlationId: string;
  data: Uint8Array;
}

function toDeadLetter(message: StoredMsg): DeadLetter {
  const header = (name: string) => message.header.get(name) ?? '';
  return {
    seq: message.seq,
    group: message.subject.slice(Streams.DeadLetters.subject.length + 1),
    originalSubject: header(Headers.OriginalSubject),
    reason: header(Headers.DeathReason),
    deliveries: Number(header(Headers.Deliveries) || 0),
    correlationId: header(Headers.CorrelationId),
    data: message.data,
  };
}

/** Every dead letter, oldest first, optionally of one group (worker or outbound). */
export async function listDeadLetters(jsm: JetStreamManager, group?: string): Promise<DeadLetter[]> {
  const info = await jsm.streams.info(Streams.DeadLetters.name);
  const letters: DeadLetter[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const message = await jsm.streams.getMessage(Streams.DeadLetters.name, { seq }).catch(() => null);
    if (!message) continue; // deleted after an earlier replay
    const letter = toDeadLetter(message);
    if (group === undefined || letter.group === group) letters.push(letter);
  }
  return letters;
}

/**
 * Puts a dead letter back on its original subject, then removes it from DEAD_LETTERS. It goes
 * without a message id: the original id would be dropped as a duplicate within the hour.
 */
export async function replayDeadLetter(js: JetStreamClient, jsm: JetStreamManager, letter: DeadLetter): Promise<void> {
  await js.publish(letter.originalSubject, letter.data, { headers: busHeaders({ [Headers.CorrelationId]: letter.correlationId }) });
  await jsm.streams.deleteMessage(Streams.DeadLetters.name, letter.seq);
}
