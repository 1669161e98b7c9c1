import type { Content } from '../../shared/ports/content-catalog.js';
import type { ChatMachineEventOf } from '../events.js';
import { choices, keyboard, replyButton, text } from '../keyboards.js';
import { isBack, MENU, menuActions, pressed, toMenuOnRequest, unknownText } from '../navigation.js';
import { chatSetup, featuresOf, pick, say } from '../setup.js';
import { Buttons, Texts } from '../texts.js';

/** «Настройки» → «Цвет кнопок»: each colour shown on its own button; the choice is kept per chat. */
export const settingsState = (content: Content) => {
  const colourOf = (typed: string) => pick(typed, content.palette, (entry) => entry.name)!;
  const colours = content.palette.map((entry) => entry.name);
  return chatSetup.createStateConfig({
    initial: 'home',
    states: {
      home: {
        // Only what the messenger can show: Telegram draws its buttons in its own colours.
        entry: say((context) =>
          text(
            Texts.settings.intro,
            choices(
              featuresOf(context).buttonColours ? [Buttons.ButtonColor, Buttons.Reminders] : [Buttons.Reminders],
              context.buttonColor,
            ),
          ),
        ),
        on: {
          'chat.text': [
            toMenuOnRequest,
            { guard: 'isButtonColourOffered', target: 'palette' },
            { guard: pressed(Buttons.Reminders), target: 'reminders' },
            ...unknownText,
          ],
        },
      },
      /** «Напоминания о показаниях»: what they are and whether they are on, with the one button that changes it. */
      reminders: {
        entry: say((context) =>
          text(
            Texts.settings.reminders(context.reminders === true),
            choices([context.reminders ? Buttons.RemindersOff : Buttons.RemindersOn], context.buttonColor, {
              back: true,
            }),
          ),
        ),
        on: {
          'chat.text': [
            toMenuOnRequest,
            { guard: isBack, target: 'home' },
            {
              guard: pressed(Buttons.RemindersOn),
              target: MENU,
              actions: [{ type: 'setReminders', params: { on: true } }, ...menuActions(Texts.settings.remindersOn)],
            },
            {
              guard: pressed(Buttons.RemindersOff),
              target: MENU,
              actions: [{ type: 'setReminders', params: { on: false } }, ...menuActions(Texts.settings.remindersOff)],
            },
            ...unknownText,
          ],
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
            { guard: isBack, target: 'home' },
            {
              guard: { type: 'isPaletteColour', params: { labels: colours } },
              target: MENU,
              actions: [
                { type: 'setButtonColour', params: ({ event }) => ({ color: colourOf(event.text).color }) },
                ...menuActions<ChatMachineEventOf<'chat.text'>>((_context, event) =>
                  Texts.settings.changed(colourOf(event.text).name),
                ),
              ],
            },
            ...unknownText,
          ],
        },
      },
    },
  });
};
