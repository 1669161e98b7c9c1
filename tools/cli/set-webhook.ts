/**
 * Registers the webhook with the messenger.
 *
 * Viber (set_webhook): Viber then calls it with a signed `webhook` event, which ingress must answer
 * with 200, so ingress must be reachable at WEBHOOK_URL.
 *
 *   VIBER_AUTH_TOKEN=… WEBHOOK_URL=https://bot.example.com/viber/webhook npm run set-webhook
 *
 * Telegram (setWebhook, against TELEGRAM_API_ROOT, Telegram's own unless set): with the secret
 * Telegram sends back on every update, and the updates the bot reads. Telegram posts to HTTPS only.
 *
 *   TELEGRAM_BOT_TOKEN=… TELEGRAM_WEBHOOK_SECRET=… TELEGRAM_WEBHOOK_URL=https://bot.example.com/telegram/webhook \
 *     npm run set-webhook -- --channel telegram
 */
import { parseArgs } from 'node:util';
import { createTelegramBotApi } from '../../shared/adapters/telegram-bot-api.js';
import { createViberBotApi } from '../../shared/adapters/viber-bot-api.js';
import { readConfig, type ConfigReader } from '../../shared/ops/config.js';
import { readTelegramConfig } from '../../shared/telegram/config.js';
import { TELEGRAM_ALLOWED_UPDATES } from '../../shared/telegram/types.js';
import { readViberConfig } from '../../shared/viber/config.js';
import { SUBSCRIBED_EVENT_TYPES } from '../../shared/viber/types.js';

const TIMEOUT_MS = 15_000;

const { values } = parseArgs({ options: { channel: { type: 'string', default: 'viber' } } });
const env = readConfig();

async function setViberWebhook(env: ConfigReader) {
  const viber = readViberConfig(env);
  const webhookUrl = env.url('WEBHOOK_URL');
  env.done();

  const api = createViberBotApi({ ...viber, eventTypes: SUBSCRIBED_EVENT_TYPES, timeoutMs: TIMEOUT_MS });
  await api.setWebhook(webhookUrl, SUBSCRIBED_EVENT_TYPES);
  console.log(
    `Webhook set: ${webhookUrl} (events: ${SUBSCRIBED_EVENT_TYPES.join(', ')}, plus those Viber always sends)`,
  );
  const info = await api.getAccountInfo();
  console.log(`Account: ${String(info.name)} (${String(info.uri)}), webhook ${String(info.webhook)}`);
}

/** The token is in every Bot API URL: nothing printed here holds it (the adapter's errors do not either). */
async function setTelegramWebhook(env: ConfigReader) {
  const telegram = readTelegramConfig(env);
  if (!telegram.enabled) env.invalid('TELEGRAM_BOT_TOKEN is required (the token @BotFather gave the bot)');
  const webhookUrl = env.url('TELEGRAM_WEBHOOK_URL');
  env.done();

  const api = createTelegramBotApi({ apiRoot: telegram.apiRoot, botToken: telegram.botToken, timeoutMs: TIMEOUT_MS });
  await api.setWebhook(webhookUrl, telegram.webhookSecret);
  console.log(`Webhook set at ${telegram.apiRoot}: ${webhookUrl} (updates: ${TELEGRAM_ALLOWED_UPDATES.join(', ')})`);
  const me = await api.getMe();
  console.log(`Bot: @${String(me.username)} (${String(me.first_name)})`);
}

switch (values.channel) {
  case 'viber':
    await setViberWebhook(env);
    break;
  case 'telegram':
    await setTelegramWebhook(env);
    break;
  default:
    console.error(`--channel must be viber or telegram, not "${values.channel}".`);
    process.exitCode = 2;
}
