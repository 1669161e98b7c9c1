import type { Button, Keyboard, Reply } from '../shared/contracts/reply.js';
import type { FileRef } from '../shared/ports/content-catalog.js';
import { Buttons, MENU_ITEMS, START_COMMAND } from './texts.js';

/** The default colour of the menu buttons (the retailer's light blue); a chat may pick another. */
export const DEFAULT_BUTTON_COLOR = '#D6E9FF';

export const replyButton = (text: string, columns = 6): Button => ({
  text,
  action: { kind: 'reply', value: text },
  columns,
});
export const urlButton = (text: string, url: string, columns = 6): Button => ({
  text,
  action: { kind: 'open-url', url },
  columns,
});
export const sharePhoneButton = (): Button => ({
  text: Buttons.SharePhone,
  action: { kind: 'share-phone' },
  columns: 6,
});

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

/** A list of choices, then «Назад» and «В меню» side by side (or «В меню» alone). */
export function choices(
  labels: readonly string[],
  color: string,
  options: { back?: boolean; extra?: Button[] } = {},
): Keyboard {
  const nav = options.back
    ? [replyButton(Buttons.Back, 3), replyButton(Buttons.ToMenu, 3)]
    : [replyButton(Buttons.ToMenu)];
  return keyboard([...labels.map((label) => replyButton(label)), ...(options.extra ?? []), ...nav], color);
}

export const text = (value: string, kb?: Keyboard): Reply => ({
  kind: 'text',
  text: value,
  ...(kb ? { keyboard: kb } : {}),
});
export const file = (ref: FileRef, kb?: Keyboard): Reply => ({
  kind: 'file',
  url: ref.url,
  fileName: ref.fileName,
  size: ref.size,
  ...(kb ? { keyboard: kb } : {}),
});
