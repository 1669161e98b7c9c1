import { isRecord } from '../contracts/is-record.js';
import { TELEGRAM_SEND_METHODS } from './types.js';

/**
 * The Bot API's limits on the calls the bot makes, as one list of problems: the fake refuses a call
 * with the first (400, as Telegram would), and the model tests hold every rendered reply to all.
 * Lengths count UTF-16 units, Telegram's own measure for entities: never more lenient than it.
 */
const LIMITS = {
  /** sendMessage's text: 1-4096 characters after entities parsing. */
  text: 4096,
  /** Captions: 0-1024 characters after entities parsing. */
  caption: 1024,
  /**
   * Per row and in all. Not in the Bot API's pages: what its servers refuse ("too many buttons"),
   * as client libraries document them.
   */
  replyButtonsPerRow: 12,
  replyButtons: 300,
  inlineButtonsPerRow: 8,
  inlineButtons: 100,
} as const;

/** An InlineKeyboardButton's url: "HTTP or tg:// URL to be opened". */
const BUTTON_URL_SCHEMES = new Set(['http:', 'https:', 'tg:']);
const DOCUMENT_URL_SCHEMES = new Set(['http:', 'https:']);

const isNonEmptyText = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

function hasScheme(value: unknown, schemes: ReadonlySet<string>): boolean {
  if (typeof value !== 'string') return false;
  try {
    return schemes.has(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** Why Telegram would refuse the call, or an empty list when it would take it. */
export function telegramProblems(call: { method: string; body: unknown }): string[] {
  if (!(TELEGRAM_SEND_METHODS as readonly string[]).includes(call.method)) return [`unknown method ${call.method}`];
  const body = call.body;
  if (!isRecord(body)) return ['the parameters are not a JSON object'];
  const problems: string[] = [];
  const chatId = body.chat_id;
  if (!Number.isSafeInteger(chatId) && !isNonEmptyText(chatId)) problems.push('chat_id is empty');
  problems.push(...contentProblems(call.method, body));
  if (body.caption !== undefined && !(typeof body.caption === 'string' && body.caption.length <= LIMITS.caption))
    problems.push(`message caption is too long (more than ${LIMITS.caption} characters) or not text`);
  if (body.reply_markup !== undefined) problems.push(...markupProblems(body.reply_markup));
  return problems;
}

function contentProblems(method: string, body: Record<string, unknown>): string[] {
  switch (method) {
    case 'sendMessage':
      if (!isNonEmptyText(body.text)) return ['message text is empty'];
      return body.text.length > LIMITS.text ? [`message is too long (more than ${LIMITS.text} characters)`] : [];
    case 'sendDocument':
      return hasScheme(body.document, DOCUMENT_URL_SCHEMES) ? [] : ['document must be an HTTP(S) URL'];
    default:
      return [
        ...(inRange(body.latitude, 90) ? [] : ['latitude must be a number in -90..90']),
        ...(inRange(body.longitude, 180) ? [] : ['longitude must be a number in -180..180']),
      ];
  }
}

const inRange = (value: unknown, bound: number) => typeof value === 'number' && value >= -bound && value <= bound;

/** A message carries one keyboard: under the input field (keyboard) or under itself (inline_keyboard). */
function markupProblems(markup: unknown): string[] {
  if (!isRecord(markup)) return ['reply_markup is not a JSON object'];
  const kinds = ['keyboard', 'inline_keyboard'].filter((key) => markup[key] !== undefined);
  if (kinds.length !== 1) return ['reply_markup must have exactly one of keyboard and inline_keyboard'];
  return kinds[0] === 'keyboard'
    ? gridProblems(markup.keyboard, 'keyboard', LIMITS.replyButtonsPerRow, LIMITS.replyButtons, replyButtonProblem)
    : gridProblems(
        markup.inline_keyboard,
        'inline_keyboard',
        LIMITS.inlineButtonsPerRow,
        LIMITS.inlineButtons,
        inlineButtonProblem,
      );
}

type ButtonCheck = (button: Record<string, unknown>) => string | undefined;

function gridProblems(rows: unknown, name: string, perRow: number, total: number, check: ButtonCheck): string[] {
  if (!Array.isArray(rows) || rows.length === 0) return [`${name} must be a non-empty array of rows`];
  const problems: string[] = [];
  let count = 0;
  for (const [r, row] of rows.entries()) {
    if (!Array.isArray(row) || row.length === 0) {
      problems.push(`${name}[${r}] must be a non-empty array of buttons`);
      continue;
    }
    if (row.length > perRow) problems.push(`${name}[${r}] has more than ${perRow} buttons`);
    count += row.length;
    for (const [b, button] of row.entries()) {
      const problem = isRecord(button) ? check(button) : 'is not an object';
      if (problem !== undefined) problems.push(`${name}[${r}][${b}] ${problem}`);
    }
  }
  if (count > total) problems.push(`${name} has more than ${total} buttons`);
  return problems;
}

const replyButtonProblem: ButtonCheck = (button) => {
  if (!isNonEmptyText(button.text)) return 'has an empty text';
  const requests = ['request_contact', 'request_location'].filter((key) => button[key] !== undefined);
  if (requests.some((key) => typeof button[key] !== 'boolean')) return 'has a request that is not true or false';
  if (requests.filter((key) => button[key] === true).length > 1) return 'requests both contact and location';
  return undefined;
};

/** The bot's inline buttons open links; a button needs exactly one action, so a URL it must have. */
const inlineButtonProblem: ButtonCheck = (button) => {
  if (!isNonEmptyText(button.text)) return 'has an empty text';
  return hasScheme(button.url, BUTTON_URL_SCHEMES) ? undefined : 'has no HTTP(S) or tg:// url';
};
