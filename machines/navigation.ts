import type { ChatMachineEvent } from './events.js';
import { mainMenu, text } from './keyboards.js';
import { isButton, say } from './setup.js';
import { MenuItem, Texts } from './texts.js';

/** Where each item of the main menu leads. */
export const SECTION_OF: Record<MenuItem, string> = {
  [MenuItem.Readings]: '#chat.readings',
  [MenuItem.Pay]: '#chat.payment',
  [MenuItem.Contract]: '#chat.contract',
  [MenuItem.ServiceCentre]: '#chat.serviceCentre',
  [MenuItem.Cabinet]: '#chat.cabinet',
  [MenuItem.Settings]: '#chat.settings',
  [MenuItem.Support]: '#chat.support',
};

/** Back to the main menu, saying `message` above it; whatever was half-done is dropped. `before` runs first. */
export const goToMenu = (message: string | ((context: { buttonColor: string }, event: any) => string) = Texts.menu, before: readonly any[] = []) => ({
  target: '#chat.menu',
  actions: [
    ...before,
    'forgetDrafts' as const,
    say((context, event) => text(typeof message === 'string' ? message : message(context, event), mainMenu(context.buttonColor))),
  ],
});

/** «В меню» (or «Начать», «Меню») from any screen. */
export const toMenuOnRequest = { guard: 'isToMenu' as const, ...goToMenu() };

/** A main-menu item pressed or typed on a screen of buttons opens that section. */
export const menuItemTransitions = Object.entries(SECTION_OF).map(([item, target]) => ({
  guard: ({ event }: { event: ChatMachineEvent }) => isButton(event, item),
  target,
  actions: 'forgetDrafts' as const,
}));

/** What a screen of buttons does with text it does not know: a short hint and the menu again. */
export const unknownTextToMenu = [...menuItemTransitions, goToMenu(Texts.unknown)];
