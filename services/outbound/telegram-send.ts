import { telegramIdOf } from '../../shared/contracts/channel.js';
import type { SendReply } from '../../shared/ports/channel-delivery.js';
import type { SentReplies } from '../../shared/ports/sent-replies.js';
import type { TelegramApi } from '../../shared/ports/telegram-api.js';
import { renderTelegramCalls } from '../../shared/telegram/render.js';
import { Texts } from '../../machines/texts.js';
import { renderedOrBadData } from './rendered.js';

/**
 * A reply to a Telegram chat: one Bot API call, or two when the reply has URL buttons and reply
 * buttons (a message has room for one kind of keyboard). Each call of a two-call reply is recorded
 * once sent, under `<reply id>#<n>`, so a retry after the second one failed does not repeat the first.
 */
export function telegramSender(api: TelegramApi, sent: SentReplies): SendReply {
  return async (outbound, { timeoutMs, untried }) => {
    const calls = renderedOrBadData(() =>
      renderTelegramCalls(outbound.reply, telegramIdOf(outbound.chatId) ?? '', {
        keyboardPrompt: Texts.keyboardPrompt,
      }),
    );
    const several = calls.length > 1;
    for (const [index, call] of calls.entries()) {
      const partId = `${outbound.id}#${index}`;
      if (several && !untried && (await sent.wasSent(partId))) continue;
      await api.call(call.method, call.body, timeoutMs);
      if (several) await sent.markSent(partId);
    }
  };
}
