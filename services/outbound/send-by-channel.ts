import { channelOf, type Channel } from '../../shared/contracts/channel.js';
import { DeliveryError, type SendReply } from '../../shared/ports/channel-delivery.js';

/**
 * Sends each reply through its chat's messenger; the chat's id says which. A reply for a messenger
 * this deployment does not speak is filed, not retried: configuring it later lets the replay send it.
 */
export function sendByChannel(senders: Partial<Record<Channel, SendReply>>): SendReply {
  return (outbound, attempt) => {
    const channel = channelOf(outbound.chatId);
    const send = senders[channel];
    if (!send) throw new DeliveryError(`no ${channel} sender is configured`, undefined, false);
    return send(outbound, attempt);
  };
}
