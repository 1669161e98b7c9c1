import { el } from './dom.js';

// Telegram's reply keyboard, under the input field: rows as sent, the buttons of a row sharing it
// equally, all in Telegram's own grey (a bot cannot colour them).

/**
 * Draws a ReplyKeyboardMarkup into `container`, or hides it when there is none. `onPress(button)`
 * gets the KeyboardButton as sent.
 */
export function renderReplyKeyboard(container, markup, onPress) {
  container.replaceChildren();
  container.style.background = '';
  const rows = Array.isArray(markup?.keyboard) ? markup.keyboard.filter((row) => Array.isArray(row)) : [];
  container.hidden = rows.length === 0;
  for (const row of rows) {
    container.append(
      el(
        'div',
        { class: 'tg-row' },
        row.map((button) =>
          el(
            'button',
            {
              type: 'button',
              class: 'tg-key',
              'data-action': button.request_contact
                ? 'request_contact'
                : button.request_location
                  ? 'request_location'
                  : 'text',
              onclick: () => onPress(button),
            },
            String(button.text ?? ''),
          ),
        ),
      ),
    );
  }
}
