import type { SentMessage } from '../../fakes/viber/app.js';
import { Callbacks, postCallback } from '../../fakes/viber/callbacks.js';
import type { Stack } from './processes.js';

/**
 * A customer talking to the running stack as Viber would carry it: signed callbacks into ingress,
 * the bot's answers read back from the fake Viber API once they stop coming.
 */
export function conversation(stack: Stack, chatId: string, authToken: string) {
  let seen = 0;
  const webhook = `${stack.ingressUrl}/viber/webhook`;

  async function messages(): Promise<SentMessage[]> {
    return (
      await fetch(`${stack.fakeViberUrl}/_fake/messages?receiver=${encodeURIComponent(chatId)}`)
    ).json() as Promise<SentMessage[]>;
  }

  /** Waits for at least one new message, then until none has come for `quietMs`. */
  async function replies(timeoutMs = 15_000, quietMs = 400): Promise<SentMessage[]> {
    const deadline = Date.now() + timeoutMs;
    let last = -1;
    let stableSince = Date.now();
    for (;;) {
      const all = await messages();
      if (all.length !== last) {
        last = all.length;
        stableSince = Date.now();
      }
      if (all.length > seen && Date.now() - stableSince >= quietMs) {
        const fresh = all.slice(seen);
        seen = all.length;
        return fresh;
      }
      if (Date.now() > deadline) throw new Error(`no reply to ${chatId} within ${timeoutMs} ms (seen ${seen})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

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
