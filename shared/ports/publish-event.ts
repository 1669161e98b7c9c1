import type { ChatEvent } from '../contracts/chat-event.js';

/** The port through which ingress hands events to the workers. Resolves once the event is durable. */
export type PublishEvent = (event: ChatEvent, correlationId: string) => Promise<{ duplicate: boolean }>;
