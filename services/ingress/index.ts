/**
 * Ingress's public surface, for the tools and tests that build it or post to it. Everything else
 * in this folder is ingress's own business.
 */
export {
  buildIngress,
  PAYMENT_CALLBACK_PATH,
  TELEGRAM_WEBHOOK_PATH,
  WEBHOOK_PATH,
  type IngressOptions,
  type PublishEvent,
} from './app.js';
export { ChatRateLimiter } from './rate-limit.js';
