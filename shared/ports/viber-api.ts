import type { ViberOutboundMessage } from '../viber/types.js';

/** The port to Viber's REST API. */
export interface ViberApi {
  sendMessage(message: ViberOutboundMessage): Promise<void>;
  setWebhook(url: string, eventTypes: readonly string[]): Promise<void>;
  getAccountInfo(): Promise<Record<string, unknown>>;
}

/** A call Viber refused or that did not reach it, with what to do about it. */
export class ViberApiError extends Error {
  override name = 'ViberApiError';
  constructor(
    message: string,
    /** Viber's status number, or undefined when no Viber answer came back. */
    readonly status: number | undefined,
    /** True when the same call may succeed later: rate limits, network errors, 5xx. */
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** What a send that got no answer in time is thrown as: maybe delivered, maybe not; worth retrying. */
export class ViberTimeoutError extends ViberApiError {
  override name = 'ViberTimeoutError';
  constructor(timeoutMs: number) {
    super(`Viber gave no answer within ${timeoutMs} ms`, undefined, true);
  }
}
