import type { JetStreamManager, JetStreamClient, JsMsg, StoredMsg } from '@nats-io/jetstream';
import { busHeaders, Headers, Streams } from './bus.js';

/** Where a group's dead letters are filed: `dead.<group>`. */
export const deadLetterSubject = (group: string) => `${Streams.DeadLetters.subject}.${group}`;

/** The group a dead letter was filed by, from its subject. */
const groupOfDeadLetter = (subject: string) => subject.slice(deadLetterSubject('').length);

/**
 * Files a message under DEAD_LETTERS with where it came from and why it died; the caller then
 * acknowledges it, so nothing is dropped unseen and it stops holding its partition. The message id
 * is the original's place in its stream: a process that died between filing and acknowledging
 * files the redelivered message again, and the stream keeps one copy. Resolves to the letter's
 * sequence in DEAD_LETTERS.
 */
export async function fileDeadLetter(
  js: JetStreamClient,
  msg: JsMsg,
  group: string,
  reason: string,
  deliveries: number,
): Promise<number> {
  const ack = await js.publish(deadLetterSubject(group), msg.data, {
    // With the stream's timestamp: a stream made anew restarts its sequences.
    msgID: `${group}:${msg.info.stream}:${msg.seq}:${msg.info.timestampNanos}`,
    headers: busHeaders({
      [Headers.OriginalSubject]: msg.subject,
      [Headers.OriginalSequence]: String(msg.seq),
      [Headers.DeathReason]: reason.slice(0, 500),
      [Headers.Deliveries]: String(deliveries),
      [Headers.CorrelationId]: msg.headers?.get(Headers.CorrelationId) ?? '',
    }),
  });
  return ack.seq;
}

export interface DeadLetter {
  seq: number;
  group: string;
  originalSubject: string;
  /** The message's sequence in its own stream when it was filed. */
  originalSeq: number;
  reason: string;
  deliveries: number;
  correlationId: string;
  data: Uint8Array;
}

function toDeadLetter(message: StoredMsg): DeadLetter {
  const header = (name: string) => message.header.get(name) ?? '';
  return {
    seq: message.seq,
    group: groupOfDeadLetter(message.subject),
    originalSubject: header(Headers.OriginalSubject),
    originalSeq: Number(header(Headers.OriginalSequence) || 0),
    reason: header(Headers.DeathReason),
    deliveries: Number(header(Headers.Deliveries) || 0),
    correlationId: header(Headers.CorrelationId),
    data: message.data,
  };
}

/** Every dead letter after `afterSeq` (all by default), oldest first, optionally of one group (worker or outbound). */
export async function listDeadLetters(jsm: JetStreamManager, group?: string, afterSeq = 0): Promise<DeadLetter[]> {
  const info = await jsm.streams.info(Streams.DeadLetters.name);
  const letters: DeadLetter[] = [];
  const first = Math.max(info.state.first_seq, afterSeq + 1);
  for (let seq = first; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const message = await jsm.streams.getMessage(Streams.DeadLetters.name, { seq }).catch(() => null);
    if (!message) continue; // deleted after an earlier replay
    const letter = toDeadLetter(message);
    if (group === undefined || letter.group === group) letters.push(letter);
  }
  return letters;
}

/** Removes a dead letter once it has been dealt with; one already gone is fine. */
export async function deleteDeadLetter(jsm: JetStreamManager, seq: number): Promise<void> {
  try {
    await jsm.streams.deleteMessage(Streams.DeadLetters.name, seq);
  } catch (error) {
    // The server words "not there" several ways ("no message found", "stream store EOF"): look.
    if ((await jsm.streams.getMessage(Streams.DeadLetters.name, { seq })) !== null) throw error;
  }
}

/**
 * Puts a dead letter back on its original subject, then removes it from DEAD_LETTERS. It goes
 * without a message id: the original id would be dropped as a duplicate within the hour. (Outbound's
 * letters are not put back this way but delivered in their chat's order: services/outbound/replay.ts.)
 */
export async function replayDeadLetter(js: JetStreamClient, jsm: JetStreamManager, letter: DeadLetter): Promise<void> {
  const headers = busHeaders({ [Headers.CorrelationId]: letter.correlationId });
  await js.publish(letter.originalSubject, letter.data, { headers });
  await deleteDeadLetter(jsm, letter.seq);
}
