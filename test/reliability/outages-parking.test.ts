import { randomUUID } from 'node:crypto';
import type { JsMsg } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { consumerName, partitionOf, partitionSubject, Streams, type Bus } from '../../shared/bus/bus.js';
import { ensureTopology, Groups } from '../../shared/bus/chat-bus.js';
import { listDeadLetters } from '../../shared/bus/dead-letters.js';
import type { OutboundReply } from '../../shared/contracts/reply.js';
import type { SendReply } from '../../shared/ports/channel-delivery.js';
import { natsParkedChats } from '../../shared/adapters/nats-parked-chats.js';
import { natsSentReplies } from '../../shared/adapters/nats-sent-replies.js';
import type { ParkedChats } from '../../shared/ports/parked-chats.js';
import type { SentReplies } from '../../shared/ports/sent-replies.js';
import { parking, type Parking, replayOutboundLetters } from '../../services/outbound/index.js';
import { freshBus, testLogger } from '../harness/infra.js';

/**
 * The races between outbound filing a parked chat's replies and the replay lifting the park,
 * played out step by step against the real bus: each must keep the chat's order.
 */
const PARTITIONS = 4;
let bus: Bus;
let parked: ParkedChats;
let sent: SentReplies;
let park: Parking;

beforeAll(async () => {
  bus = await freshBus();
  await ensureTopology(bus.jsm, { partitions: PARTITIONS, replicas: 1, ackWaitMs: 30_000 });
  parked = await natsParkedChats(bus.js, 1);
  sent = await natsSentReplies(bus.js, 1);
  park = parking({ js: bus.js, jsm: bus.jsm, parked, group: Groups.Outbound });
});
afterAll(async () => {
  await bus?.close();
});

const text = (chatId: string, n: number): OutboundReply => ({
  id: `${chatId}:${n}`,
  channel: 'viber',
  chatId,
  reply: { kind: 'text', text: `reply ${n}` },
});

/** Publishes a reply as a worker does and takes it off outbound's consumer, as outbound does. */
async function replyInHand(reply: OutboundReply): Promise<JsMsg> {
  const partition = partitionOf(reply.chatId, PARTITIONS);
  await bus.js.publish(partitionSubject(Streams.Replies, partition), JSON.stringify(reply));
  const consumer = await bus.js.consumers.get(Streams.Replies.name, consumerName(Groups.Outbound, partition));
  const msg = await consumer.next({ expires: 5_000 });
  if (!msg) throw new Error('no message');
  return msg;
}

/** A reply filed as its chat's head (refused for good), acknowledged as outbound does. */
async function fileHead(reply: OutboundReply) {
  const msg = await replyInHand(reply);
  await park.fileHead(msg, 'Viber status 6: receiverNotSubscribed');
  await msg.ackAck();
}

async function fileBehind(reply: OutboundReply) {
  const msg = await replyInHand(reply);
  const entry = await parked.get(reply.chatId);
  const result = entry ? await park.fileBehind(msg, reply.chatId, entry) : 'not parked';
  await msg.ackAck();
  return result;
}

const lettersOf = async (chatId: string) => {
  const letters = await listDeadLetters(bus.jsm, Groups.Outbound);
  return letters.filter((letter) => new TextDecoder().decode(letter.data).includes(chatId));
};

/** A messenger that records what it is sent; `during` runs inside a send, as outbound would meanwhile. */
function recordingViber(during?: (reply: OutboundReply) => Promise<void>) {
  const sent: OutboundReply[] = [];
  const send: SendReply = async (reply) => {
    await during?.(reply);
    sent.push(reply);
  };
  const textOf = (reply: OutboundReply) => (reply.reply.kind === 'text' ? reply.reply.text : '');
  // Other tests' chats are parked too, and the replay sends theirs as well.
  return { send, textsOf: (chatId: string) => sent.filter((m) => m.chatId === chatId).map(textOf) };
}

const replay = (send: SendReply) =>
  replayOutboundLetters({
    ...{ jsm: bus.jsm, group: Groups.Outbound, parked, sent, send },
    ...{ timeoutMs: 1_000, logger: testLogger },
  });

describe('parked chats: filing and replaying keep each chat’s order', () => {
  test('a reply filed behind the park after the replay looked: the lift fails, the replay looks again', async () => {
    const chatId = `park-${randomUUID()}`;
    await fileHead(text(chatId, 0));
    const seen = await parked.get(chatId);
    expect(await fileBehind(text(chatId, 1))).toBe('filed');
    expect(await parked.lift(chatId, seen!.revision)).toBe(false);
    expect((await parked.get(chatId))?.park).toMatchObject({ behind: 1 });
  });

  test('the park lifted while a reply was being filed: the letter is taken back, the reply sent', async () => {
    const chatId = `park-${randomUUID()}`;
    await fileHead(text(chatId, 0));
    const msg = await replyInHand(text(chatId, 1));
    const entry = (await parked.get(chatId))!;
    expect(await parked.lift(chatId, entry.revision)).toBe(true);
    expect(await park.fileBehind(msg, chatId, entry)).toBe('lifted');
    await msg.ackAck();
    const reasons = (await lettersOf(chatId)).map((letter) => letter.reason);
    expect(reasons).toEqual([expect.stringContaining('Viber status 6')]);
  });

  test('replies filed while the replay runs are sent after the ones before them, then the park is lifted', async () => {
    const chatId = `park-${randomUUID()}`;
    await fileHead(text(chatId, 0));
    await fileBehind(text(chatId, 1));
    let next = 2;
    // While the replay sends, the customer writes on and outbound files the new replies behind.
    const viber = recordingViber(async (message) => {
      if (message.chatId === chatId && next <= 4) expect(await fileBehind(text(chatId, next++))).toBe('filed');
    });
    const report = await replay(viber.send);
    expect(report.chats.find((chat) => chat.chatId === chatId)).toMatchObject({ sent: 5 });
    expect(report.chats.find((chat) => chat.chatId === chatId)?.failure).toBeUndefined();
    expect(viber.textsOf(chatId)).toEqual(['reply 0', 'reply 1', 'reply 2', 'reply 3', 'reply 4']);
    expect(await parked.get(chatId)).toBeNull();
    expect(await lettersOf(chatId)).toEqual([]);
    expect(await fileBehind(text(chatId, 5))).toBe('not parked');
  });

  test('a letter Viber still refuses stops its chat’s replay: the chat stays parked, the rest in place', async () => {
    const chatId = `park-${randomUUID()}`;
    await fileHead(text(chatId, 0));
    await fileBehind(text(chatId, 1));
    const refusing = recordingViber(async () => {
      throw new Error('Viber still down');
    });
    expect((await replay(refusing.send)).chats.find((chat) => chat.chatId === chatId)?.failure).toMatch(/still down/);
    expect(await parked.get(chatId)).not.toBeNull();
    expect((await lettersOf(chatId)).length).toBe(2);

    const viber = recordingViber();
    await replay(viber.send);
    expect(viber.textsOf(chatId)).toEqual(['reply 0', 'reply 1']);
    expect(await parked.get(chatId)).toBeNull();
  });
});

describe('what an outbound process remembers of parks', () => {
  /** An outbound process's parking, counting how often it asks the bus for a park. */
  const outboundProcess = () => {
    let reads = 0;
    const counted: ParkedChats = { ...parked, get: (chatId) => (reads++, parked.get(chatId)) };
    return {
      parking: parking({ js: bus.js, jsm: bus.jsm, parked: counted, group: Groups.Outbound }),
      reads: () => reads,
    };
  };
  /** The next reply of the chat handed to `process`, as outbound's consumer loop hands it. */
  const handedTo = async (process: Parking, reply: OutboundReply) => {
    const msg = await replyInHand(reply);
    process.handed(msg);
    return msg;
  };

  test('one process taking all of a partition reads a chat’s park once, and sees its own park at once', async () => {
    const chatId = `park-${randomUUID()}`;
    const one = outboundProcess();
    const first = await handedTo(one.parking, text(chatId, 0));
    expect(await one.parking.parkOf(first, chatId)).toBeNull();
    await first.ackAck();
    const second = await handedTo(one.parking, text(chatId, 1));
    expect(await one.parking.parkOf(second, chatId)).toBeNull();
    expect(one.reads()).toBe(1);
    await one.parking.fileHead(second, 'Viber status 6: receiverNotSubscribed');
    await second.ackAck();
    const third = await handedTo(one.parking, text(chatId, 2));
    expect(await one.parking.parkOf(third, chatId)).toMatchObject({ park: { head: second.seq } });
    await third.ackAck();
  });

  test('a park made by another process is seen by the next reply, however well this one knew the chat', async () => {
    const chatId = `park-${randomUUID()}`;
    const [a, b] = [outboundProcess(), outboundProcess()];
    const first = await handedTo(b.parking, text(chatId, 0));
    expect(await b.parking.parkOf(first, chatId)).toBeNull();
    await first.ackAck();
    // A takes the partition's next reply and parks the chat on it.
    const second = await handedTo(a.parking, text(chatId, 1));
    await a.parking.fileHead(second, 'Viber status 6: receiverNotSubscribed');
    await second.ackAck();
    const third = await handedTo(b.parking, text(chatId, 2));
    expect(await b.parking.parkOf(third, chatId)).toMatchObject({ park: { head: second.seq } });
    expect(b.reads()).toBe(2);
    await third.ackAck();
  });
});
