export const WEBHOOK_PATH = '/viber/webhook';
export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';
export const PAYMENT_CALLBACK_PATH = '/payments/callback';

/** A request without a body has none to parse; its signature is checked over no bytes at all. */
export const EMPTY_BODY = Buffer.alloc(0);
