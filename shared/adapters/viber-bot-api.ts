import { createRequire } from 'node:module';
import { withTimeout } from '../ops/with-timeout.js';
import { DeliveryError, DeliveryTimeoutError } from '../ports/channel-delivery.js';
import { ViberApiError, type ViberApi } from '../ports/viber-api.js';
import { ViberStatus } from '../viber/types.js';
import { keepViberBotConnectionsAlive } from './viber-bot-keep-alive.js';

/** Answers that will be the same next time: do not retry them (Viber's docs list 5, 6, 7, 9 as such). */
const PERMANENT = new Set<number>([
  ViberStatus.InvalidUrl,
  ViberStatus.InvalidAuthToken,
  ViberStatus.BadData,
  ViberStatus.MissingData,
  ViberStatus.ReceiverNotRegistered,
  ViberStatus.ReceiverNotSubscribed,
  ViberStatus.PublicAccountBlocked,
  ViberStatus.PublicAccountNotFound,
  ViberStatus.PublicAccountSuspended,
  ViberStatus.WebhookNotSet,
  ViberStatus.ReceiverNoSuitableDevice,
  ViberStatus.ApiVersionNotSupported,
]);

/** Classifies whatever viber-bot rejected with: a Viber answer with a status, or a transport error. */
function toViberApiError(rejection: unknown): ViberApiError {
  if (
    typeof rejection === 'object' &&
    rejection !== null &&
    'status' in rejection &&
    typeof rejection.status === 'number'
  ) {
    const { status } = rejection;
    const message = 'status_message' in rejection ? String(rejection.status_message) : `status ${status}`;
    return new ViberApiError(`Viber refused the call: ${message} (${status})`, status, !PERMANENT.has(status));
  }
  const message =
    rejection instanceof Error
      ? rejection.message
      : typeof rejection === 'string'
        ? rejection.slice(0, 200)
        : 'no answer';
  return new ViberApiError(`Viber API unreachable or answered garbage: ${message}`, undefined, true);
}

interface ViberClientLike {
  sendMessage(
    receiver: string | undefined,
    type: string,
    data: object,
    trackingData?: unknown,
    keyboard?: object,
    chatId?: string,
    minApiVersion?: number,
  ): Promise<unknown>;
  setWebhook(url: string, isInline?: boolean): Promise<unknown>;
  getAccountInfo(): Promise<Record<string, unknown>>;
}

/**
 * The real adapter: viber-bot's own REST client, pointed at the configured base URL (Viber's, or
 * the local fake). viber-bot's Bot class hard-codes Viber's URL, so its client is built directly.
 */
export function createViberBotApi(options: {
  apiUrl: string;
  authToken: string;
  sender: { name: string; avatar?: string };
  eventTypes: readonly string[];
  timeoutMs: number;
}): ViberApi {
  keepViberBotConnectionsAlive();
  const require = createRequire(import.meta.url);
  const ViberClient = require('viber-bot/lib/viber-client') as new (
    logger: unknown,
    bot: unknown,
    apiUrl: string,
    events: readonly string[],
  ) => ViberClientLike;
  const quiet = { debug() {}, info() {}, warn() {}, error() {} }; // its logger prints request bodies: personal data
  const client = new ViberClient(
    quiet,
    { name: options.sender.name, avatar: options.sender.avatar, authToken: options.authToken },
    options.apiUrl,
    options.eventTypes,
  );

  // viber-bot sets no read timeout: a Viber that never answers would hold the partition for ever.
  const call = async <T>(operation: string, request: () => Promise<T>): Promise<T> => {
    try {
      return await withTimeout(
        request(),
        options.timeoutMs,
        operation,
        () => new DeliveryTimeoutError('Viber', options.timeoutMs),
      );
    } catch (rejection) {
      throw rejection instanceof DeliveryError ? rejection : toViberApiError(rejection);
    }
  };

  return {
    async sendMessage(message) {
      const { receiver, sender: _sender, keyboard, tracking_data, min_api_version, ...body } = message;
      await call('sendMessage', () =>
        client.sendMessage(receiver, body.type, body, tracking_data, keyboard, undefined, min_api_version),
      );
    },
    async setWebhook(url) {
      await call('setWebhook', () => client.setWebhook(url, false));
    },
    getAccountInfo: () => call('getAccountInfo', () => client.getAccountInfo()),
  };
}
