/**
 * What the simulator does for a customer in any messenger: post what the customer does to
 * ingress as that messenger would, and read what outbound sent to the messenger's fake API. One
 * link per messenger (viber-link.ts, telegram-link.ts); their secrets stay on this side, the page
 * only ever talks to the simulator.
 */

export interface SimulatedCustomer {
  /** The chat id, as the stack knows the chat (a Telegram chat's carries its `tg:` prefix). */
  id: string;
  name: string;
}

/** A call the bot made, as a fake messenger API recorded it; `body` is in the messenger's own words. */
export interface RecordedSend {
  seq: number;
  at: number;
  body: Record<string, unknown>;
}

export interface ChatLink {
  /**
   * Opens the chat as the messenger does. Resolves to the welcome when it is the webhook's HTTP
   * answer (Viber's), or null when the bot answers as it answers anything (Telegram's /start).
   */
  open(customer: SimulatedCustomer): Promise<Record<string, unknown> | null>;
  text(customer: SimulatedCustomer, text: string): Promise<void>;
  /** The customer shares their own phone number (the messenger's share-phone button). */
  contact(customer: SimulatedCustomer, phone: string): Promise<void>;
  /** What the bot sent this chat after the given sequence number, oldest first. */
  messages(chatId: string, after: number): Promise<RecordedSend[]>;
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

/** The webhook's answer body, when ingress took the event. */
export function accepted(answer: { status: number; body: string }): string {
  if (answer.status !== 200) throw new WebhookRefused(answer.status, answer.body);
  return answer.body;
}

/** A fake messenger API's log (`GET /_fake/messages?<query>=<chat>&after=<seq>`) of one chat. */
export async function sentTo<T extends RecordedSend>(
  fake: { url: string; name: string; query: string },
  chat: string,
  after: number,
): Promise<T[]> {
  const response = await fetch(`${fake.url}/_fake/messages?${fake.query}=${encodeURIComponent(chat)}&after=${after}`);
  if (!response.ok) throw new Error(`${fake.name} answered ${response.status}`);
  return (await response.json()) as T[];
}
