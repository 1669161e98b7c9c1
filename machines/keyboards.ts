import type { Button, Keyboard, Reply } from '../shared/reply.js';
import { MENU_ITEMS, START_COMMAND } from './texts.js';

/** The default colour of the menu buttons (the retailer's light blue); a chat may pick another. */
export const DEFAULT_BUTTON_COLOR = '#D6E9FF';

const replyButton = (text: string, columns = 6): Button => ({ text, action: { kind: 'reply', value: text }, columns });

/** Every keyboard is made here, so the chat's colour is applied to all of them. */
export function keyboard(buttons: Button[], color: string = DEFAULT_BUTTON_COLOR): Keyboard {
  return { buttons, color };
}

/** Seven items: two per row, the last one full width. */
export function mainMenu(color?: string): Keyboard {
  return keyboard(
    MENU_ITEMS.map((item, index) => replyButton(item, index === MENU_ITEMS.length - 1 ? 6 : 3)),
    color,
  );
}

export function startKeyboard(color?: string): Keyboard {
  return keyboard([replyButton(START_COMMAND)], color);
}

export const text = (value: string, kb?: Keyboard): Reply => ({ kind: 'text', text: value, ...(kb ? { keyboard: kb } : {}) });
