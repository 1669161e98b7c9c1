import { mainMenu, text } from './keyboards.js';
import { say, type ChatContext } from './setup.js';
import { Buttons, MenuItem, Texts } from './texts.js';

/** Where each item of the main menu leads. */
export const SECTION_OF: Record<MenuItem, `#chat.${string}`> = {
  [MenuItem.Readings]: '#chat.readings',
  [MenuItem.Pay]: '#chat.payment',
  [MenuItem.Contract]: '#chat.contract',
  [MenuItem.ServiceCentre]: '#chat.serviceCentre',
  [MenuItem.Cabinet]: '#chat.cabinet',
  [MenuItem.Settings]: '#chat.settings',
  [MenuItem.Support]: '#chat.support',
};

export const MENU = '#chat.menu';

/** The guard «this button was pressed (or its text typed)». */
export const pressed = (label: string) => ({ type: 'isButton' as const, params: { label } });

/** «Назад» pressed or typed. */
export const isBack = pressed(Buttons.Back);

/** The actions of arriving at the main menu: whatever was half-done is dropped, then `message` above the menu. */
export const menuActions = <E>(message: string | ((context: ChatContext, event: E) => string) = Texts.menu) =>
  [
    'forgetDrafts' as const,
    say<E>((context, event) =>
      text(typeof message === 'string' ? message : message(context, event), mainMenu(context.buttonColor)),
    ),
  ] as const;

/** Back to the main menu, saying `message` above it. */
export const goToMenu = <E>(message?: string | ((context: ChatContext, event: E) => string)) => ({
  target: MENU,
  actions: menuActions<E>(message),
});

/** «В меню» (or «Начать», «Меню») from any screen. */
export const toMenuOnRequest = { guard: 'isToMenu' as const, ...goToMenu() };

/** A main-menu item pressed or typed on a screen of buttons opens that section. */
export const menuItemTransitions = Object.entries(SECTION_OF).map(([item, target]) => ({
  guard: pressed(item),
  target,
  actions: 'forgetDrafts' as const,
}));

/** A short hint above the keyboard already on the screen: the customer stays where they are. */
export const hintInPlace = (message: string) => ({
  actions: say((context) => text(message, context.lastKeyboard ?? mainMenu(context.buttonColor))),
});

/**
 * What a screen of buttons does with text it does not know: a main-menu item opens its section,
 * anything else gets a hint and the same buttons.
 */
export const unknownText = [...menuItemTransitions, hintInPlace(Texts.useButtons)];
