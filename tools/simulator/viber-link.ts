import type { SentMessage } from '../../fakes/viber/app.js';
import { Callbacks, postCallback } from '../../fakes/viber/callbacks.js';
import { accepted, sentTo, type ChatLink, type SimulatedCustomer } from './chat-link.js';

/**
 * The simulator's Viber: it signs the customer's callbacks with the bot's token and posts them to
 * ingress, as Viber does, and reads what outbound sent to the fake Viber API. A Viber chat's id is
 * the customer's Viber user id.
 */

export interface ViberLinkOptions {
  webhookUrl: string;
  fakeViberUrl: string;
  authToken: string;
}

type Callback = ReturnType<typeof Callbacks.text>;

/** Viber sends the customer's own name in every callback; the builders' default is a placeholder. */
function signedBy(callback: Callback, name: string): Callback {
  const withName = (user: unknown) => ({ ...(user as object), name });
  return {
    ...callback,
    ...('sender' in callback ? { sender: withName(callback.sender) } : {}),
    ...('user' in callback ? { user: withName(callback.user) } : {}),
  };
}

export function viberLink(options: ViberLinkOptions) {
  const post = async (callback: Callback) =>
    accepted(await postCallback(options.webhookUrl, callback, options.authToken));
  const fake = { url: options.fakeViberUrl, name: 'fake Viber', query: 'receiver' };

  return {
    /** Opens the chat; the welcome is ingress's HTTP answer itself (a send_message body without receiver). */
    async open(customer: SimulatedCustomer): Promise<Record<string, unknown> | null> {
      const body = await post(signedBy(Callbacks.conversationStarted(customer.id), customer.name));
      const welcome = JSON.parse(body) as Record<string, unknown>;
      return typeof welcome.type === 'string' ? welcome : null;
    },
    async text(customer: SimulatedCustomer, text: string): Promise<void> {
      await post(signedBy(Callbacks.text(customer.id, text), customer.name));
    },
    async contact(customer: SimulatedCustomer, phone: string): Promise<void> {
      // Viber sends the number as the phone's book has it, digits with the country code.
      const callback = signedBy(Callbacks.contact(customer.id, phone.replace(/[^\d+]/g, '')), customer.name);
      const message = callback.message as { contact: Record<string, unknown> };
      await post({ ...callback, message: { ...message, contact: { ...message.contact, name: customer.name } } });
    },
    messages: (chatId: string, after: number) => sentTo<SentMessage>(fake, chatId, after),
  } satisfies ChatLink;
}

export type ViberLink = ReturnType<typeof viberLink>;
