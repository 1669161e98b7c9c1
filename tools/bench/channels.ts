import { randomBytes, randomInt } from 'node:crypto';
import type { SentCall } from '../../fakes/telegram/app.js';
import { TelegramUpdates } from '../../fakes/telegram/updates.js';
import type { SentMessage } from '../../fakes/viber/app.js';
import { Callbacks, toViberJson } from '../../fakes/viber/callbacks.js';
import { Texts } from '../../machines/texts.js';
import { telegramChatId, telegramIdOf, type Channel } from '../../shared/contracts/channel.js';
import type { Reply } from '../../shared/contracts/reply.js';
import { renderTelegramCalls } from '../../shared/telegram/render.js';
import { TELEGRAM_SECRET_HEADER } from '../../shared/telegram/types.js';
import { signViberBody, SIGNATURE_HEADER } from '../../shared/viber/signature.js';
import { runScriptInProcess } from './script.js';

/** One webhook of one chat, built (and signed) in advance so that preparing it does not slow the generator down. */
export interface PreparedPost {
  body: Buffer;
  /** The messenger's proof that the post is its own, besides the content type. */
  headers: Record<string, string>;
}

/** One entry of a fake messenger API's /_fake/messages: both fakes number and time their entries alike. */
export interface FakeEntry {
  seq: number;
  at: number;
}

/**
 * What the bench needs to know of a messenger: how its chats are named, how a customer's line
 * reaches the webhook, what a reply becomes at its fake API and how the fake records it. A reply is
 * reduced to a fingerprint on both sides, so the analysis compares the fake's record with what the
 * machine says, one entry at a time.
 */
export interface BenchChannel {
  name: Channel;
  /** `count` distinct chat ids, random as the messenger's are, so chats spread over the partitions as real ones do. */
  newChatIds(count: number): string[];
  /** A customer's text line as the messenger posts it; `secret` is what proves the post the messenger's. */
  prepare(chatId: string, text: string, secret: string): PreparedPost;
  /** What one reply of the machine becomes at the fake: one message, or several Bot API calls. */
  rendered(reply: Reply): string[];
  /** An entry of the fake's record: the bench's chat id it went to, and its fingerprint. */
  received(entry: FakeEntry): { chatId: string; fingerprint: string };
}

/** A reply, or what the fake received of it, reduced to what identifies it in a chat's sequence. */
export function fingerprint(message: {
  type?: unknown;
  kind?: unknown;
  text?: unknown;
  media?: unknown;
  url?: unknown;
}): string {
  return `${String(message.type ?? message.kind)}:${String(message.text ?? message.media ?? message.url ?? '')}`;
}

/** A Bot API call by its method and what it shows (a file by its URL). */
const callFingerprint = (call: { method: string; body: Record<string, unknown> }) =>
  fingerprint({ type: call.method, text: call.body.text, media: call.body.document });

/** Telegram user ids of ten digits, as today's are. */
function newTelegramChatIds(count: number): string[] {
  const ids = new Set<string>();
  while (ids.size < count) ids.add(telegramChatId(randomInt(1_000_000_000, 10_000_000_000)));
  return [...ids];
}

export const BENCH_CHANNELS: Readonly<Record<Channel, BenchChannel>> = {
  viber: {
    name: 'viber',
    // Random ids of Viber's length.
    newChatIds: (count) => Array.from({ length: count }, () => randomBytes(16).toString('base64')),
    prepare(chatId, text, secret) {
      const body = toViberJson(Callbacks.text(chatId, text));
      return { body: Buffer.from(body), headers: { [SIGNATURE_HEADER]: signViberBody(body, secret) } };
    },
    rendered: (reply) => [fingerprint(reply)],
    received(entry) {
      const message = entry as SentMessage;
      return { chatId: message.receiver, fingerprint: fingerprint(message.body) };
    },
  },
  telegram: {
    name: 'telegram',
    newChatIds: newTelegramChatIds,
    prepare: (chatId, text, secret) => ({
      body: Buffer.from(JSON.stringify(TelegramUpdates.text(Number(telegramIdOf(chatId)), text))),
      headers: { [TELEGRAM_SECRET_HEADER]: secret },
    }),
    // Rendered as outbound renders it: a reply with URL buttons and answer buttons is two calls.
    rendered: (reply) =>
      renderTelegramCalls(reply, '1', { keyboardPrompt: Texts.keyboardPrompt }).map((call) => callFingerprint(call)),
    received(entry) {
      const call = entry as SentCall;
      return { chatId: telegramChatId(call.chatId), fingerprint: callFingerprint(call) };
    },
  },
};

/**
 * What each line of the script makes the bot send on a channel, as that channel's fake records it:
 * the script run through the machine as one of the channel's chats (the dialogue may differ by
 * channel), each reply rendered for it.
 */
export async function expectedOn(channel: BenchChannel, script: readonly string[]): Promise<string[][]> {
  const { repliesPerLine } = await runScriptInProcess(script, channel.newChatIds(1)[0]);
  return repliesPerLine.map((replies) => replies.flatMap((reply) => channel.rendered(reply)));
}

/** Where a running target takes one channel's webhooks, and where its replies arrive (the empty webhook sends none). */
export interface ChannelEndpoint {
  webhookUrl: string;
  /** Viber's bot token, which signs each body, or Telegram's webhook secret, sent along in a header. */
  secret: string;
  fakeUrl?: string;
}

/** One channel's part in a scenario: its endpoint, and where there are replies, what each line must bring. */
export interface ChannelPlan {
  channel: BenchChannel;
  webhookUrl: string;
  secret: string;
  replies?: { fakeUrl: string; expectedPerLine: string[][] };
}
