/** The SMS gateway: the real one is an operator's HTTP API; locally, an outbox a developer can read. */
export interface SmsGateway {
  /**
   * Sends `text` to `phone` (digits with country code). The same idempotency key twice sends once:
   * a turn may run again after a crash.
   */
  send(message: { phone: string; text: string; idempotencyKey: string }): Promise<void>;
}

export class SmsUnavailableError extends Error {
  override name = 'SmsUnavailableError';
}
