import { assign } from 'xstate';
import type { Content } from '../../shared/content.js';
import { choices, keyboard, replyButton, text } from '../keyboards.js';
import { goToMenu, toMenuOnRequest, unknownTextToMenu } from '../navigation.js';
import { chatSetup, isButton, pick, say } from '../setup.js';
import { Buttons, Texts } from '../texts.js';

/** «Настройки» → «Цвет кнопок»: each colour shown on its own button; the choice is kept per chat. */
export const settingsState = (content: Content) => {
  const colourOf = (event: { type: string }) => pick(event, content.palette, (entry) => entry.name);
  return chatSetup.createStateConfig({
    initial: 'home',
    states: {
      home: {
        entry: say((context) => text(Texts.settings.intro, choices([Buttons.ButtonColor], context.buttonColor))),
        on: {
          'chat.text': [toMenuOnRequest, { guard: ({ event }) => isButton(event, Buttons.ButtonColor), target: 'palette' }, ...unknownTextToMenu],
        },
      },
      palette: {
        entry: say((context) =>
          text(
            Texts.settings.choose,
            keyboard(
              [
                ...content.palette.map((entry) => ({ ...replyButton(entry.name, 3), color: entry.color })),
                replyButton(Buttons.Back, 3),
                replyButton(Buttons.ToMenu, 3),
              ],
              context.buttonColor,
            ),
          ),
        ),
        on: {
          'chat.text': [
            toMenuOnRequest,
            { guard: 'isBack', target: 'home' },
            {
              guard: ({ event }) => colourOf(event) !== undefined,
              ...goToMenu((_context, event) => Texts.settings.changed(colourOf(event)!.name), [assign({ buttonColor: ({ event }) => colourOf(event)!.color })]),
            },
            ...unknownTextToMenu,
          ],
        },
      },
    },
  });
};
