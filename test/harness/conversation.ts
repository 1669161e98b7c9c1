import type { SentMessage } from '../../fakes/viber/app.js';
import { Callbacks, postCallback } from '../../fakes/viber/callbacks.js';
import type { Stack } from './processes.js';
import { replyReader } from './await-replies.js';

/**
 * A customer talking to the running stack as Viber would carry it: signed callbacks into ingress,
 * the bot's answers read back from the fake Viber API once they stop coming.
 */
export function conversation(stack: Stack, chatId: string, authToken: string) {
  const webhook = `${stack.ingressUrl}/viber/webhook`;
  const messagesUrl = `${stack.fakeViberUrl}/_fake/messages?receiver=${encodeURIComponent(chatId)}`;
  const replies = replyReader(async () => (await fetch(messagesUrl)).json() as Promise<SentMessage[]>, chatId);

  async function post(callback: ReturnType<typeof Callbacks.text>) {
    const answer = await postCallback(webhook, callback, authToken);
    if (answer.status !== 200) throw new Error(`ingress answered ${answer.status}: ${answer.body}`);
    return answer;
  }

  const texts = (sent: SentMessage[]) => sent.map((m) => String(m.body.text ?? m.body.media ?? m.body.type));
  const buttons = (sent: SentMessage[]) =>
    (sent.at(-1)?.body.keyboard as { Buttons: { Text: string; ActionType: string; ActionBody: string }[] } | undefined)
      ?.Buttons ?? [];

  return {
    chatId,
    say: async (text: string) => (await post(Callbacks.text(chatId, text)), replies()),
    shareContact: async (phone: string) => (await post(Callbacks.contact(chatId, phone)), replies()),
    replies,
    texts,
    buttons,
  };
}

/** The code of the last SMS the reference gateway sent (its outbox), as a customer reads it off the phone. */
export async function lastSmsCode(stack: Pick<Stack, 'referenceUrl'>): Promise<string> {
  const outbox = (await (await fetch(`${stack.referenceUrl}/sms/outbox`)).json()) as { text: string }[];
  const code = outbox.at(-1)?.text.match(/\b(\d{6})\b/)?.[1];
  if (!code) throw new Error('no SMS code in the outbox');
  return code;
}

/** Pays on the payment provider's page as a customer would: the page answers with its result. */
export async function payOnPage(url: string, amount: string): Promise<string> {
  const page = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `action=pay&amount=${amount}`,
  });
  return page.text();
}
