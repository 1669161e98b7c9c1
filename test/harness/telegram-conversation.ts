import type { SentCall } from '../../fakes/telegram/app.js';
import { postUpdate, TelegramUpdates } from '../../fakes/telegram/updates.js';
import type { TelegramUpdate } from '../../shared/telegram/types.js';
import { replyReader } from './await-replies.js';
import type { Stack } from './processes.js';

interface Markup {
  keyboard?: { text: string; request_contact?: boolean }[][];
  inline_keyboard?: { text: string; url: string }[][];
}

/**
 * A customer talking to the running stack as Telegram would carry it: updates with the webhook's
 * secret into ingress, the bot's calls read back from the fake Telegram Bot API.
 */
export function telegramConversation(stack: Stack, userId: number) {
  const chat = String(userId);
  const messagesUrl = `${stack.fakeTelegramUrl}/_fake/messages?chat=${chat}`;
  const replies = replyReader(async () => (await fetch(messagesUrl)).json() as Promise<SentCall[]>, `tg:${chat}`);

  async function post(update: TelegramUpdate) {
    const answer = await postUpdate(stack.telegramWebhook.url, update, stack.telegramWebhook.secret);
    if (answer.status !== 200) throw new Error(`ingress answered ${answer.status}: ${answer.body}`);
  }
  const markupOf = (call: SentCall | undefined) => call?.body.reply_markup as Markup | undefined;
  const keyboard = (sent: SentCall[]) =>
    [...sent]
      .reverse()
      .map(markupOf)
      .find((markup) => markup?.keyboard)?.keyboard ?? [];

  return {
    userId,
    chatId: `tg:${chat}`,
    start: async (payload?: string) => (await post(TelegramUpdates.start(userId, payload)), replies()),
    say: async (text: string) => (await post(TelegramUpdates.text(userId, text)), replies()),
    shareContact: async (phone: string, ownerId: number | null = userId) => (
      await post(TelegramUpdates.contact(userId, phone, ownerId)),
      replies()
    ),
    post,
    replies,
    texts: (sent: SentCall[]) => sent.map((call) => String(call.body.text ?? call.body.document ?? call.method)),
    /** The reply keyboard under the input, as the last call that brought one left it. */
    keyboard,
    /** Button texts of that keyboard, row after row. */
    buttons: (sent: SentCall[]) =>
      keyboard(sent)
        .flat()
        .map((button) => button.text),
    /** The URL buttons under the messages. */
    links: (sent: SentCall[]) => sent.flatMap((call) => markupOf(call)?.inline_keyboard?.flat() ?? []),
  };
}
