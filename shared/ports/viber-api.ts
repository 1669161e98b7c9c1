import { DeliveryError } from './channel-delivery.js';
import type { ViberOutboundMessage } from '../viber/types.js';

/** The port to Viber's REST API. */
export interface ViberApi {
  sendMessage(message: ViberOutboundMessage): Promise<void>;
  setWebhook(url: string, eventTypes: readonly string[]): Promise<void>;
  getAccountInfo(): Promise<Record<string, unknown>>;
}

/** Viber's status for a receiver who unsubscribed. */
export const VIBER_NOT_SUBSCRIBED = 6;

/** A call Viber refused (`status`: Viber's status number) or that did not reach it (`status` undefined). */
export class ViberApiError extends DeliveryError {
  override name = 'ViberApiError';
  constructor(message: string, status: number | undefined, retryable: boolean) {
    super(message, status, retryable, status === VIBER_NOT_SUBSCRIBED);
  }
}
