import type { ConfigReader } from '../ops/config.js';
import { TELEGRAM_API_ROOT } from './types.js';

export interface TelegramConfig {
  /** False when TELEGRAM_BOT_TOKEN is not set: the deployment speaks Viber only. */
  enabled: boolean;
  botToken: string;
  /** The Bot API server (Telegram's, a local Bot API server, or the fake), without a trailing slash. */
  apiRoot: string;
  /** setWebhook's secret_token, checked on every update; empty when disabled. */
  webhookSecret: string;
}

/** `<bot id>:<key>` as @BotFather gives it; it goes into every URL path, so nothing else may pass. */
const BOT_TOKEN = /^\d{1,20}:[A-Za-z0-9_-]{1,200}$/;
/** What Telegram allows in secret_token. */
const WEBHOOK_SECRET = /^[A-Za-z0-9_-]{1,256}$/;

/** Problems name the variable and the rule, never the value: both are secrets. */
export function readTelegramConfig(env: ConfigReader): TelegramConfig {
  const botToken = env.string('TELEGRAM_BOT_TOKEN', '');
  const apiRoot = env.url('TELEGRAM_API_ROOT', TELEGRAM_API_ROOT).replace(/\/+$/, '');
  if (botToken === '') return { enabled: false, botToken, apiRoot, webhookSecret: '' };
  if (!BOT_TOKEN.test(botToken))
    env.invalid('TELEGRAM_BOT_TOKEN must look like 123456789:AAE… (the token @BotFather gave the bot)');
  const webhookSecret = env.secret('TELEGRAM_WEBHOOK_SECRET');
  if (webhookSecret !== '' && !WEBHOOK_SECRET.test(webhookSecret))
    env.invalid('TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and - (as Telegram allows)');
  return { enabled: true, botToken, apiRoot, webhookSecret };
}
