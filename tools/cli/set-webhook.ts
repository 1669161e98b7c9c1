/**
 * Registers the webhook with Viber (set_webhook). Viber then calls it with a signed `webhook`
 * event, which ingress must answer with 200, so ingress must be reachable at WEBHOOK_URL.
 *
 *   VIBER_AUTH_TOKEN=… WEBHOOK_URL=https://bot.example.com/viber/webhook npm run set-webhook
 */
import { readConfig } from '../../shared/ops/config.js';
import { createViberBotApi } from '../../shared/adapters/viber-bot-api.js';
import { readViberConfig } from '../../shared/viber/config.js';
import { SUBSCRIBED_EVENT_TYPES } from '../../shared/viber/types.js';

const env = readConfig();
const viber = readViberConfig(env);
const webhookUrl = env.url('WEBHOOK_URL');
env.done();

const api = createViberBotApi({ ...viber, eventTypes: SUBSCRIBED_EVENT_TYPES, timeoutMs: 15_000 });
await api.setWebhook(webhookUrl, SUBSCRIBED_EVENT_TYPES);
console.log(`Webhook set: ${webhookUrl} (events: ${SUBSCRIBED_EVENT_TYPES.join(', ')}, plus those Viber always sends)`);
const info = await api.getAccountInfo();
console.log(`Account: ${String(info.name)} (${String(info.uri)}), webhook ${String(info.webhook)}`);
