import type { Content } from '../../shared/ports/content-catalog.js';
import { file, keyboard, replyButton, text, urlButton } from '../keyboards.js';
import { pressed, toMenuOnRequest, unknownText } from '../navigation.js';
import { chatSetup, say } from '../setup.js';
import { Buttons } from '../texts.js';

/** «Сервисный центр»: its services and a link to the company site. */
export const serviceCentreState = (content: Content) =>
  chatSetup.createStateConfig({
    entry: say((context) =>
      text(
        content.serviceCentre.text,
        keyboard(
          [urlButton(Buttons.Site, content.serviceCentre.url), replyButton(Buttons.ToMenu)],
          context.buttonColor,
        ),
      ),
    ),
    on: { 'chat.text': [toMenuOnRequest, ...unknownText] },
  });

const cabinetKeyboard = (content: Content, color: string) =>
  keyboard(
    [
      urlButton(Buttons.Register, content.cabinet.registrationUrl),
      replyButton(Buttons.Instruction),
      replyButton(Buttons.ToMenu),
    ],
    color,
  );

/** «Личный кабинет»: what it offers, where to register, and the instruction. */
export const cabinetState = (content: Content) =>
  chatSetup.createStateConfig({
    entry: say((context) => text(content.cabinet.text, cabinetKeyboard(content, context.buttonColor))),
    on: {
      'chat.text': [
        toMenuOnRequest,
        {
          guard: pressed(Buttons.Instruction),
          actions: say((context) => file(content.cabinet.instruction, cabinetKeyboard(content, context.buttonColor))),
        },
        ...unknownText,
      ],
    },
  });

/** «Поддержка бота»: where to send suggestions and feedback. */
export const supportState = (content: Content) =>
  chatSetup.createStateConfig({
    entry: say((context) =>
      text(
        content.support.text,
        keyboard([urlButton(Buttons.Feedback, content.support.url), replyButton(Buttons.ToMenu)], context.buttonColor),
      ),
    ),
    on: { 'chat.text': [toMenuOnRequest, ...unknownText] },
  });
