import { fingerprint } from '../../tools/bench/channels.js';
import type { SentMessage } from '../../fakes/viber/app.js';
import { Callbacks, postCallback } from '../../fakes/viber/callbacks.js';
import { dialogueDriver } from './dialogue-driver.js';
import { memoryBilling, memoryPayments, scriptedVerification } from './demo-billing.js';

/** A customer's script: screens that need no billing, so the expected replies are known exactly. */
export const SCRIPT = [
  'Начать',
  'Заключить договор',
  'Необходимые документы',
  'Офисы компании',
  'Иркутск',
  'Назад',
  'В меню',
  'Настройки',
  'Цвет кнопок',
  'Зелёный',
  'Сервисный центр',
  'В меню',
];

/** What the bot must say to SCRIPT, in order: the same machine run turn by turn in this process. */
export async function expectedReplies(script: readonly string[] = SCRIPT): Promise<string[]> {
  const chat = dialogueDriver({
    billing: memoryBilling().gateway,
    verification: scriptedVerification(),
    payments: memoryPayments(),
  });
  const texts: string[] = [];
  for (const line of script) texts.push(...(await chat.say(line)).map(describe));
  return texts;
}

/** One reply, or what the fake Viber API received of it, as a comparable line (the bench's own). */
export const describe = fingerprint;

export interface TrafficResult {
  /** Callbacks ingress answered with something else than 200, then sent again as Viber would. */
  retried: number;
}

/**
 * Many customers at once, each sending SCRIPT one message after the other (as one phone does), with
 * Viber's behaviour on a non-200 answer: the same callback again after a pause.
 */
export async function runTraffic(options: {
  webhookUrl: string;
  authToken: string;
  chatIds: string[];
  script?: readonly string[];
  onProgress?: (sent: number) => void | Promise<void>;
}): Promise<TrafficResult> {
  const script = options.script ?? SCRIPT;
  let retried = 0;
  let sent = 0;
  await Promise.all(
    options.chatIds.map(async (chatId) => {
      for (const line of script) {
        const callback = Callbacks.text(chatId, line);
        for (let attempt = 0; ; attempt++) {
          const answer = await postCallback(options.webhookUrl, callback, options.authToken).catch(() => ({
            status: 0,
            body: '',
          }));
          if (answer.status === 200) break;
          retried++;
          if (attempt > 200) throw new Error(`ingress kept answering ${answer.status}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        sent++;
        await options.onProgress?.(sent);
      }
    }),
  );
  return { retried };
}

async function repliesByChat(fakeViberUrl: string, chatIds: string[]): Promise<Map<string, string[]>> {
  const all = (await (await fetch(`${fakeViberUrl}/_fake/messages`)).json()) as SentMessage[];
  const byChat = new Map<string, string[]>(chatIds.map((id) => [id, []]));
  for (const message of all) byChat.get(message.receiver)?.push(describe(message.body));
  return byChat;
}

/** Waits until the fake Viber API holds `count` messages for each chat (or the time is up), then returns them. */
export async function collectReplies(
  fakeViberUrl: string,
  chatIds: string[],
  count: number,
  timeoutMs = 60_000,
): Promise<Map<string, string[]>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const byChat = await repliesByChat(fakeViberUrl, chatIds);
    if ([...byChat.values()].every((messages) => messages.length >= count)) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // A little longer, so that a duplicate sent late is seen too.
  await new Promise((resolve) => setTimeout(resolve, 500));
  return repliesByChat(fakeViberUrl, chatIds);
}
