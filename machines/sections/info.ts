import type { Content } from '../../shared/content.js';
import { file, keyboard, replyButton, text, urlButton } from '../keyboards.js';
import { toMenuOnRequest, unknownTextToMenu } from '../navigation.js';
import { chatSetup, isButton, say } from '../setup.js';
import { Buttons } from '../texts.js';

/** «Сервисный центр»: its services and a link to the company site. */
export const serviceCentreState = (content: Content) =>
  chatSetup.createStateConfig({
    entry: say((context) =>
      text(content.serviceCentre.text, keyboard([urlButton(Buttons.Site, content.serviceCentre.url), replyButton(Buttons.ToMenu)], context.buttonColor)),
    ),
    on: { 'chat.text': [toMenuOnRequest, ...unknownTextToMenu] },
  });

const cabinetKeyboard = (content: Content, color: string) =>
  keyboard([urlButton(Buttons.Register, content.cabinet.registrationUrl), replyButton(Buttons.Instruction), replyButton(Buttons.ToMenu)], color);

/** «Личный кабинет»: what it offers, where to register, and the instruction. */
export const cabinetState = (content: Content) =>
  chatSetup.createStateConfig({
    entry: say((context) => text(content.cabinet.text, cabinetKeyboard(content, context.buttonColor))),
    on: {
      'chat.text': [
        toMenuOnRequest,
        {
          guard: ({ event }) => isButton(event, Buttons.Instruction),
          actions: say((context) => file(content.cabinet.instruction, cabinetKeyboard(content, context.buttonColor))),
        },
        ...unknownTextToMenu,
      ],
    },
  });

/** «Поддержка бота»: where to send suggestions and feedback. */
export const supportState = (content: Content) =>
  chatSetup.createStateConfig({
    entry: say((context) => text(content.support.text, keyboard([urlButton(Buttons.Feedback, content.support.url), replyButton(Buttons.ToMenu)], context.buttonColor))),
    on: { 'chat.text': [toMenuOnRequest, ...unknownTextToMenu] },
  });
