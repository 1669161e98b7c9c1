import { el } from './dom.js';

// The Viber keyboard as Viber lays it out: a grid of six columns, buttons placed left to right in
// the order sent, each spanning its Columns and Rows (Viber's defaults: 6 and 1).

const ROW_HEIGHT_PX = 40;
const COLOR = /^#[0-9a-f]{6}$/i;

/** Button texts may carry Viber's simple HTML (b, i, u, br, font color); anything else stays text. */
function label(text) {
  const root = el('span', { class: 'label' });
  const open = [root];
  let last = 0;
  for (const match of String(text ?? '').matchAll(/<(\/?)(b|i|u|br|font)\b([^>]*)>/gi)) {
    open.at(-1).append(text.slice(last, match.index));
    last = match.index + match[0].length;
    const [, closing, tag] = match;
    const name = tag.toLowerCase();
    if (name === 'br') open.at(-1).append(el('br'));
    else if (closing) {
      if (open.length > 1 && open.at(-1).dataset.tag === name) open.pop();
    } else {
      const color = match[3].match(/color\s*=\s*["']?(#[0-9a-f]{6})/i)?.[1];
      const node = el(name === 'font' ? 'span' : name, { 'data-tag': name, style: color ? { color } : undefined });
      open.at(-1).append(node);
      open.push(node);
    }
  }
  open.at(-1).append(text.slice(last));
  return root;
}

/**
 * Draws the keyboard into `container`, or hides it when there is none. `onPress(button)` gets the
 * Viber button object as sent.
 */
export function renderKeyboard(container, keyboard, onPress) {
  container.replaceChildren();
  const buttons = Array.isArray(keyboard?.Buttons) ? keyboard.Buttons : [];
  container.hidden = buttons.length === 0;
  container.style.background = COLOR.test(keyboard?.BgColor ?? '') ? keyboard.BgColor : '';
  container.style.setProperty('--row-height', `${ROW_HEIGHT_PX}px`);
  for (const button of buttons) {
    const columns = Math.min(Math.max(Number(button.Columns) || 6, 1), 6);
    const rows = Math.min(Math.max(Number(button.Rows) || 1, 1), 2);
    container.append(
      el(
        'button',
        {
          type: 'button',
          class: `kb-button action-${button.ActionType} size-${button.TextSize ?? 'regular'}`,
          'data-action': button.ActionType,
          title: button.ActionType === 'open-url' ? button.ActionBody : undefined,
          style: {
            gridColumn: `span ${columns}`,
            gridRow: `span ${rows}`,
            background: COLOR.test(button.BgColor ?? '') ? button.BgColor : '',
          },
          onclick: () => onPress(button),
        },
        label(button.Text ?? ''),
      ),
    );
  }
}
