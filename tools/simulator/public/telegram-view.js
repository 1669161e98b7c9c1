import { el } from './dom.js';
import { fileCard, locationCard, textContent } from './message-view.js';
import { renderReplyKeyboard } from './telegram-keyboard-view.js';

// Telegram as the page shows it: the Bot API calls the fake recorded (sendMessage, sendDocument,
// sendLocation), URL buttons under their message, the reply keyboard under the input field, and
// what the keyboard's buttons do. The same shape as viber-view.js.

/** A private chat's id is the user's: a positive integer, under the stack's `tg:` prefix. */
function newChatId() {
  const [random] = crypto.getRandomValues(new Uint32Array(1));
  return `tg:${1_000_000 + (random % 2_000_000_000)}`;
}

const KINDS = { sendMessage: 'text', sendDocument: 'file', sendLocation: 'location' };

/** Telegram names a file sent by URL after the URL's last part. */
function fileName(url) {
  try {
    return decodeURIComponent(new URL(url).pathname.split('/').at(-1) || 'file');
  } catch {
    return 'file';
  }
}

function content({ kind, body }) {
  switch (kind) {
    case 'text':
      return textContent(body.text);
    case 'file':
      return fileCard(body.document, fileName(body.document), 'Документ');
    case 'location':
      return locationCard(body.latitude, body.longitude);
    default:
      return el('div', { class: 'text muted' }, `[${kind}]`);
  }
}

/** URL buttons, in their rows, under the message they came with. */
function below({ body }) {
  const rows = body.reply_markup?.inline_keyboard;
  if (!Array.isArray(rows)) return null;
  return el(
    'div',
    { class: 'tg-inline' },
    rows.map((row) =>
      el(
        'div',
        { class: 'tg-row' },
        row.map((button) =>
          el(
            'a',
            {
              class: 'tg-inline-button',
              href: button.url,
              target: '_blank',
              rel: 'noopener noreferrer',
              title: button.url,
            },
            String(button.text ?? ''),
          ),
        ),
      ),
    ),
  );
}

/** A reply keyboard stays until another replaces it (or the bot removes it): a message without one keeps it. */
function keyboardAfter({ body }, current) {
  const markup = body.reply_markup;
  if (Array.isArray(markup?.keyboard)) return markup;
  return markup?.remove_keyboard ? null : current;
}

/** What a reply-keyboard button does: Telegram sends its text, or the user's own contact. */
function actionOf(button) {
  if (button.request_contact) return { kind: 'share-phone' };
  if (button.request_location) return { kind: 'unsupported', what: `«${button.text}» (request_location)` };
  return { kind: 'text', text: button.text };
}

const PREVIEWS = { file: '[документ]', location: '[местоположение]' };

export const telegram = {
  name: 'Telegram',
  labels: {
    card: 'Клиент в Telegram',
    id: 'Чат',
    reopen: 'Отправить /start снова',
    botSub: 'бот',
  },
  newChatId,
  /** A Telegram chat starts with the customer's /start (the «Запустить» button); the bot answers it. */
  startCommand: '/start',
  /** A call the fake Bot API recorded: the chat's entry. */
  entryOf: (call) => ({ kind: KINDS[call.method] ?? call.method, body: call.body }),
  keyboardAfter,
  content,
  below,
  preview: ({ kind, body }) => body.text ?? PREVIEWS[kind] ?? `[${kind}]`,
  renderKeyboard: renderReplyKeyboard,
  actionOf,
};
