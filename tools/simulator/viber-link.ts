import type { SentMessage } from '../../fakes/viber/app.js';
import { Callbacks, postCallback } from '../../fakes/viber/callbacks.js';

/**
 * The simulator's Viber: it signs the customer's callbacks with the bot's token and posts them to
 * ingress, as Viber does, and reads what outbound sent to the fake Viber API. The token stays on
 * this side; the page only ever talks to the simulator.
 */

export interface SimulatedCustomer {
  /** The Viber user id: a chat of its own. */
  id: string;
  name: string;
}

export interface ViberLinkOptions {
  webhookUrl: string;
  fakeViberUrl: string;
  authToken: string;
}

export class WebhookRefused extends Error {
  override name = 'WebhookRefused';
  constructor(
    readonly status: number,
    body: string,
  ) {
    super(`ingress answered ${status}: ${body.slice(0, 200)}`);
  }
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
  async function post(callback: Callback): Promise<string> {
    const answer = await postCallback(options.webhookUrl, callback, options.authToken);
    if (answer.status !== 200) throw new WebhookRefused(answer.status, answer.body);
    return answer.body;
  }

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
      const callback = signedBy(Callbacks.contact(customer.id, phone), customer.name);
      const message = callback.message as { contact: Record<string, unknown> };
      await post({ ...callback, message: { ...message, contact: { ...message.contact, name: customer.name } } });
    },
    /** What the bot sent this customer after the given sequence number, oldest first. */
    async messages(customerId: string, after: number): Promise<SentMessage[]> {
      const url = `${options.fakeViberUrl}/_fake/messages?receiver=${encodeURIComponent(customerId)}&after=${after}`;
      const response = await fetch(url);
      if (!response.ok) throw new Error(`fake Viber answered ${response.status}`);
      return (await response.json()) as SentMessage[];
    },
  };
}

export type ViberLink = ReturnType<typeof viberLink>;
