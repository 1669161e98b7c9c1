import { assign } from 'xstate';
import type { Content } from '../../shared/content.js';
import type { Reply } from '../../shared/reply.js';
import { choices, file, text } from '../keyboards.js';
import { toMenuOnRequest, unknownTextToMenu } from '../navigation.js';
import { chatSetup, isButton, pick, say, type ChatContext } from '../setup.js';
import { Buttons, Texts } from '../texts.js';

/** «Заключить договор»: information only; the contract is signed in an office. */
export const contractState = (content: Content) => {
  const { templates, offices } = content.contract;
  const templateOf = (service: string | undefined) => templates.find((t) => t.service === service);
  const homeKeyboard = (context: ChatContext) => choices([Buttons.Documents, Buttons.Templates, Buttons.Offices], context.buttonColor);
  const dwellingKeyboard = (context: ChatContext) => choices(Object.keys(templateOf(context.templateService)?.dwellings ?? {}), context.buttonColor, { back: true });
  const settlementKeyboard = (context: ChatContext) => choices(offices.map((o) => o.settlement), context.buttonColor, { back: true });
  const pickedService = (event: { type: string }) => pick(event, templates, (t) => t.service);
  const pickedSettlement = (event: { type: string }) => pick(event, offices, (o) => o.settlement);

  const officeReplies = (context: ChatContext, event: { type: string }): Reply[] =>
    pickedSettlement(event)!.offices.flatMap((office) => [
      text(Texts.contract.office(office.name, office.address, office.hours, office.phone)),
      { kind: 'location' as const, lat: office.lat, lon: office.lon, keyboard: settlementKeyboard(context) },
    ]);

  return chatSetup.createStateConfig({
    initial: 'home',
    states: {
      home: {
        entry: say((context) => text(content.contract.intro, homeKeyboard(context))),
        on: {
          'chat.text': [
            toMenuOnRequest,
            {
              guard: ({ event }) => isButton(event, Buttons.Documents),
              actions: say((context) => text(`${Texts.contract.documentsTitle}\n${content.contract.documents.map((d) => `• ${d}`).join('\n')}`, homeKeyboard(context))),
            },
            { guard: ({ event }) => isButton(event, Buttons.Templates), target: 'templateService' },
            { guard: ({ event }) => isButton(event, Buttons.Offices), target: 'settlement' },
            ...unknownTextToMenu,
          ],
        },
      },
      templateService: {
        entry: say((context) => text(Texts.contract.chooseService, choices(templates.map((t) => t.service), context.buttonColor, { back: true }))),
        on: {
          'chat.text': [
            toMenuOnRequest,
            { guard: 'isBack', target: 'home' },
            { guard: ({ event }) => pickedService(event) !== undefined, target: 'templateDwelling', actions: assign({ templateService: ({ event }) => pickedService(event)!.service }) },
            ...unknownTextToMenu,
          ],
        },
      },
      templateDwelling: {
        entry: say((context) => text(Texts.contract.chooseDwelling, dwellingKeyboard(context))),
        on: {
          'chat.text': [
            toMenuOnRequest,
            { guard: 'isBack', target: 'templateService' },
            {
              guard: ({ context, event }) => pick(event, Object.keys(templateOf(context.templateService)?.dwellings ?? {}), (d) => d) !== undefined,
              actions: say((context, event) => {
                const dwellings = templateOf(context.templateService)!.dwellings;
                const dwelling = pick(event, Object.keys(dwellings), (d) => d)!;
                return file(dwellings[dwelling]!, dwellingKeyboard(context));
              }),
            },
            ...unknownTextToMenu,
          ],
        },
      },
      settlement: {
        entry: say((context) => text(Texts.contract.chooseSettlement, settlementKeyboard(context))),
        on: {
          'chat.text': [
            toMenuOnRequest,
            { guard: 'isBack', target: 'home' },
            { guard: ({ event }) => pickedSettlement(event) !== undefined, actions: say(officeReplies) },
            ...unknownTextToMenu,
          ],
        },
      },
    },
  });
};
