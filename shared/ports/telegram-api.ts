import { DeliveryError } from './channel-delivery.js';

/** The port to the Telegram Bot API. */
export interface TelegramApi {
  /** One Bot API method with JSON parameters; resolves to its `result`, throws a TelegramApiError. */
  call(method: string, body: Record<string, unknown>, timeoutMs: number): Promise<unknown>;
  /** Points Telegram at the bot's webhook, with the secret it will send back and the updates it asks for. */
  setWebhook(url: string, secretToken: string): Promise<void>;
  getMe(): Promise<Record<string, unknown>>;
}

const TOO_MANY_REQUESTS = 429;
/** The user blocked the bot, deleted the account, or never started it: writing again will not help. */
const FORBIDDEN = 403;

/**
 * A call Telegram refused (`errorCode`: its error_code, which is also the HTTP status) or that got
 * no Bot API answer (`errorCode` undefined: network, timeout, a proxy's 5xx, garbage). 429 and
 * anything without an answer or 5xx are retried (after retry_after when given); 403 means the
 * customer is gone; other refusals (400 bad request, 401/404 a wrong token) will be refused again.
 */
export class TelegramApiError extends DeliveryError {
  override name = 'TelegramApiError';
  constructor(message: string, errorCode: number | undefined, retryAfterSeconds?: number) {
    super(
      message,
      errorCode,
      errorCode === undefined || errorCode === TOO_MANY_REQUESTS || errorCode >= 500,
      errorCode === FORBIDDEN,
      errorCode === TOO_MANY_REQUESTS && retryAfterSeconds !== undefined ? retryAfterSeconds * 1000 : undefined,
    );
  }
}
