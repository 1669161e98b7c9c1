import type { ChatEvent } from '../../shared/contracts/chat-event.js';

export const WEBHOOK_PATH = '/viber/webhook';
export const PAYMENT_CALLBACK_PATH = '/payments/callback';

/** A request without a body has none to parse; its signature is checked over no bytes at all. */
export const EMPTY_BODY = Buffer.alloc(0);

/** The port through which ingress hands events to the workers. Resolves once the event is durable. */
export type PublishEvent = (event: ChatEvent, correlationId: string) => Promise<{ duplicate: boolean }>;
