import type { Registry } from 'prom-client';
import { createTelegramBotApi } from '../../shared/adapters/telegram-bot-api.js';
import { createViberBotApi } from '../../shared/adapters/viber-bot-api.js';
import type { Channel } from '../../shared/contracts/channel.js';
import type { SendReply } from '../../shared/ports/channel-delivery.js';
import type { SentReplies } from '../../shared/ports/sent-replies.js';
import type { TelegramConfig } from '../../shared/telegram/config.js';
import type { ViberConfig } from '../../shared/viber/config.js';
import { SUBSCRIBED_EVENT_TYPES } from '../../shared/viber/types.js';
import { meteredSend } from './metered-send.js';
import { sendByChannel } from './send-by-channel.js';
import { telegramSender } from './telegram-send.js';
import { viberSender } from './viber-send.js';

/**
 * Every messenger this deployment speaks (Viber always; Telegram when its token is set), behind
 * one SendReply: what outbound and the replay of dead letters send with. `timeoutMs`: the longest
 * any API call waits (each attempt sets its own, shorter, timeout). With a registry, each
 * messenger's sends are counted by outcome.
 */
export function messengerSenders(options: {
  viber: ViberConfig;
  telegram: TelegramConfig;
  sent: SentReplies;
  timeoutMs: number;
  registry?: Registry;
}): SendReply {
  const { viber, telegram, timeoutMs, registry } = options;
  const metered = (channel: Channel, send: SendReply) => (registry ? meteredSend(channel, send, registry) : send);
  const viberApi = createViberBotApi({ ...viber, eventTypes: SUBSCRIBED_EVENT_TYPES, timeoutMs });
  return sendByChannel({
    viber: metered('viber', viberSender(viberApi, viber.sender)),
    ...(telegram.enabled
      ? {
          telegram: metered('telegram', telegramSender(createTelegramBotApi({ ...telegram, timeoutMs }), options.sent)),
        }
      : {}),
  });
}
