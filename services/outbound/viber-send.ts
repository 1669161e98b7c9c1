import { withTimeout } from '../../shared/ops/with-timeout.js';
import { DeliveryTimeoutError, type SendReply } from '../../shared/ports/channel-delivery.js';
import type { ViberApi } from '../../shared/ports/viber-api.js';
import { renderViberMessage, type ViberSender } from '../../shared/viber/render.js';
import { renderedOrBadData } from './rendered.js';

/**
 * A reply to a Viber chat: one send_message call, given up on after the caller's timeout. The API
 * underneath waits at most the longest attempt (SEND_TIMEOUT_MAX_MS); a call given up on here runs
 * to its end unobserved.
 */
export function viberSender(api: ViberApi, sender: ViberSender): SendReply {
  return async (outbound, { timeoutMs }) => {
    const message = renderedOrBadData(() => renderViberMessage(outbound.reply, sender, outbound.chatId));
    await withTimeout(
      api.sendMessage(message),
      timeoutMs,
      'send_message',
      () => new DeliveryTimeoutError('Viber', timeoutMs),
    );
  };
}
