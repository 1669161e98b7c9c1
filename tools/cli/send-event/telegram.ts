import type { SentCall } from '../../../fakes/telegram/app.js';
import { postUpdate, TelegramUpdates } from '../../../fakes/telegram/updates.js';
import { telegramChatId } from '../../../shared/contracts/channel.js';
import type { InlineKeyboardButton, KeyboardButton } from '../../../shared/telegram/types.js';
import { sentLog, WAIT_SECONDS } from './sent-log.js';

/**
 * A Telegram update to ingress, as Telegram would post it (with setWebhook's secret in its header),
 * and what the bot then sent at the fake Bot API. Unlike Viber's, the welcome is no HTTP answer:
 * /start is an event like any other, and the welcome comes through outbound.
 */

export interface TelegramEventOptions {
  /** The Telegram user id; in a private chat it is the chat's id too. */
  user: number;
  open: boolean;
  /** /start's deep-link payload (t.me/<bot>?start=<payload>). */
  context?: string;
  text?: string;
  contact?: string;
  /** Whose card `contact` is: the sender's (undefined), another Telegram user's, or null: someone not on Telegram. */
  contactOf?: number | null;
  webhook: string;
  fakeTelegram: string;
  secret: string;
}

/** The update the options ask for, or undefined when they ask for none. */
function updateOf(options: TelegramEventOptions) {
  const { user } = options;
  if (options.open) return TelegramUpdates.start(user, options.context);
  // Telegram sends the number as the phone's book has it: digits, the country code first.
  if (options.contact) return TelegramUpdates.contact(user, options.contact.replace(/\D/g, ''), options.contactOf);
  if (options.text !== undefined) return TelegramUpdates.text(user, options.text);
  return undefined;
}

/** Resolves to the exit code. */
export async function sendTelegramEvent(options: TelegramEventOptions): Promise<number> {
  const update = updateOf(options);
  if (!update) {
    console.error(
      'Say what to send: --open [--context <payload>], --text <text> or --contact <phone> [--contact-of <id>].',
    );
    return 2;
  }

  const chat = String(options.user);
  const log = sentLog<SentCall>(`${options.fakeTelegram}/_fake/messages?chat=${encodeURIComponent(chat)}`);
  const mark = await log.mark();
  const answer = await postUpdate(options.webhook, update, options.secret);
  console.log(`ingress answered ${answer.status}: ${answer.body}`);
  if (answer.status !== 200 || mark === undefined) return answer.status === 200 ? 0 : 1;

  const fresh = await log.since(mark);
  for (const call of fresh) console.log(describe(call, telegramChatId(chat)));
  if (fresh.length === 0) console.log(`(no reply reached the fake Telegram API within ${WAIT_SECONDS} s)`);
  return 0;
}

/** One Bot API call as a line, then its keyboard: reply keyboard rows as `[a] [b]`, URL buttons as `(link: …)`. */
function describe(call: SentCall, chatId: string): string {
  const { body } = call;
  const content =
    call.method === 'sendDocument'
      ? `[document] ${String(body.document)}`
      : call.method === 'sendLocation'
        ? `[location] ${String(body.latitude)}, ${String(body.longitude)}`
        : String(body.text);
  const markup = (body.reply_markup ?? {}) as {
    keyboard?: KeyboardButton[][];
    inline_keyboard?: InlineKeyboardButton[][];
  };
  const rows = [
    ...(markup.inline_keyboard ?? []).map((row) => row.map((b) => `(link: ${b.text} → ${b.url})`)),
    ...(markup.keyboard ?? []).map((row) => row.map((b) => `[${b.text}]${requestOf(b)}`)),
  ];
  return [`bot → ${chatId}: ${content}`, ...rows.map((row) => `      ${row.join(' ')}`)].join('\n');
}

const requestOf = (button: KeyboardButton) =>
  button.request_contact ? ' (shares the phone)' : button.request_location ? ' (shares the location)' : '';
