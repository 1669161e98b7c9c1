import { el, formatSize } from './dom.js';
import { renderKeyboard } from './keyboard-view.js';
import { card, externalLink, fileCard, ICONS, locationCard, textContent } from './message-view.js';

// Viber as the page shows it: what the bot's send_message bodies look like, its keyboard, and what
// its buttons do. app.js talks to every messenger through an object of this shape (see
// telegram-view.js for the other one).

/** Viber ids look like base64; a random one of the same alphabet is a new Viber user. */
function newChatId() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `sim${btoa(String.fromCharCode(...bytes)).replace(/[+/=]/g, '')}`;
}

function content({ body }) {
  switch (body.type) {
    case 'text':
      return textContent(body.text);
    case 'url':
      return card(ICONS.link, 'Ссылка', externalLink(body.media, body.media));
    case 'file':
      return fileCard(body.media, body.file_name ?? 'файл', formatSize(Number(body.size)));
    case 'location':
      return locationCard(body.location?.lat, body.location?.lon);
    case 'picture':
      // No picture is loaded: the page fetches nothing from outside.
      return card(
        ICONS.file,
        'Изображение',
        externalLink(body.media, body.media),
        body.text ? el('div', { class: 'text' }, body.text) : null,
      );
    default:
      return el('div', { class: 'text muted' }, `[сообщение типа ${body.type}]`);
  }
}

/** What a keyboard button does, in the page's words. */
function actionOf(button) {
  switch (button.ActionType) {
    case 'reply':
      return { kind: 'text', text: button.ActionBody };
    case 'open-url':
      return { kind: 'url', url: button.ActionBody };
    case 'share-phone':
      return { kind: 'share-phone' };
    default:
      return { kind: 'unsupported', what: `типа ${button.ActionType}` };
  }
}

export const viber = {
  name: 'Viber',
  labels: {
    card: 'Клиент в Viber',
    id: 'Viber ID',
    reopen: 'Открыть чат заново',
    botSub: 'Бот · Viber',
  },
  newChatId,
  /** Viber's chat opens with conversation_started, and ingress answers it with the welcome. */
  startCommand: undefined,
  /** A message the fake Viber API recorded (or the welcome, `{body}`): the chat's entry. */
  entryOf: ({ body }) => ({ kind: body.type, body }),
  /** Each message brings its keyboard, or none. */
  keyboardAfter: (entry) => entry.body.keyboard ?? null,
  content,
  preview: ({ body }) => body.text ?? `[${body.type}]`,
  renderKeyboard,
  actionOf,
};
