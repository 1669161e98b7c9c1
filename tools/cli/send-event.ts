/**
 * Posts an event to ingress as the customer's messenger would (a signed Viber callback, or a
 * Telegram update with the webhook's secret), and prints what the bot answered at the fake
 * messenger API.
 *
 *   npm run send-event -- --user alice --open
 *   npm run send-event -- --user alice --text Начать
 *   npm run send-event -- --user alice --contact +79001234567
 *
 *   npm run send-event -- --channel telegram --user 1001 --open [--context <deep-link payload>]
 *   npm run send-event -- --channel telegram --user 1001 --text Начать
 *   npm run send-event -- --channel telegram --user 1001 --contact +79001234567 [--contact-of <id>|none]
 */
import { parseArgs } from 'node:util';
import { sendTelegramEvent } from './send-event/telegram.js';
import { sendViberEvent } from './send-event/viber.js';

const { values } = parseArgs({
  options: {
    channel: { type: 'string', default: 'viber' },
    user: { type: 'string' },
    text: { type: 'string' },
    open: { type: 'boolean', default: false },
    contact: { type: 'string' },
    // Telegram only.
    context: { type: 'string' },
    'contact-of': { type: 'string' },
    // Where the stack is; each channel has its own defaults.
    webhook: { type: 'string' },
    viber: { type: 'string', default: process.env.FAKE_VIBER_URL ?? 'http://127.0.0.1:8090' },
    token: { type: 'string', default: process.env.VIBER_AUTH_TOKEN ?? 'local-dev-token' },
    telegram: { type: 'string', default: process.env.FAKE_TELEGRAM_URL ?? 'http://127.0.0.1:8091' },
    secret: { type: 'string', default: process.env.TELEGRAM_WEBHOOK_SECRET ?? 'local-telegram-secret' },
  },
});

function refuse(problem: string): never {
  console.error(problem);
  process.exit(2);
}

/** A Telegram user id: a positive integer. */
function telegramId(value: string, option: string): number {
  const id = /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(id) || id < 1) refuse(`${option} must be a Telegram user id (a number), not "${value}".`);
  return id;
}

switch (values.channel) {
  case 'viber': {
    if (values.context !== undefined || values['contact-of'] !== undefined)
      refuse('--context and --contact-of are for --channel telegram.');
    process.exitCode = await sendViberEvent({
      user: values.user ?? 'demo-customer',
      open: values.open!,
      text: values.text,
      contact: values.contact,
      webhook: values.webhook ?? process.env.WEBHOOK_URL ?? 'http://127.0.0.1:8080/viber/webhook',
      fakeViber: values.viber!,
      token: values.token!,
    });
    break;
  }
  case 'telegram': {
    const contactOf = values['contact-of'];
    if (contactOf !== undefined && values.contact === undefined) refuse('--contact-of goes with --contact <phone>.');
    if (values.context !== undefined && !values.open) refuse('--context goes with --open (the /start payload).');
    process.exitCode = await sendTelegramEvent({
      user: telegramId(values.user ?? '1001', '--user'),
      open: values.open!,
      context: values.context,
      text: values.text,
      contact: values.contact,
      contactOf:
        contactOf === undefined ? undefined : contactOf === 'none' ? null : telegramId(contactOf, '--contact-of'),
      webhook: values.webhook ?? process.env.TELEGRAM_WEBHOOK_URL ?? 'http://127.0.0.1:8080/telegram/webhook',
      fakeTelegram: values.telegram!,
      secret: values.secret!,
    });
    break;
  }
  default:
    refuse(`--channel must be viber or telegram, not "${values.channel}".`);
}
