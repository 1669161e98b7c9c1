import type { Content } from '../../shared/ports/content-catalog.js';
import type { Reply } from '../../shared/contracts/reply.js';
import { choices, file, text } from '../keyboards.js';
import { isBack, pressed, toMenuOnRequest, unknownText } from '../navigation.js';
import { chatSetup, pick, say, type ChatContext } from '../setup.js';
import { Buttons, Texts } from '../texts.js';

/** «Заключить договор»: information only; the contract is signed in an office. */
export const contractState = (content: Content) => {
  const { templates, offices } = content.contract;
  const templateOf = (service: string | undefined) => templates.find((t) => t.service === service);
  const homeKeyboard = (context: ChatContext) =>
    choices([Buttons.Documents, Buttons.Templates, Buttons.Offices], context.buttonColor);
  const dwellingsOf = (context: ChatContext) => Object.keys(templateOf(context.templateService)?.dwellings ?? {});
  const dwellingKeyboard = (context: ChatContext) => choices(dwellingsOf(context), context.buttonColor, { back: true });
  const settlements = offices.map((o) => o.settlement);
  const settlementKeyboard = (context: ChatContext) => choices(settlements, context.buttonColor, { back: true });
  const services = templates.map((t) => t.service);

  const officeReplies = (context: ChatContext, typed: string): Reply[] =>
    pick(typed, offices, (o) => o.settlement)!.offices.flatMap((office) => [
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
              guard: pressed(Buttons.Documents),
              actions: say((context) =>
                text(
                  `${Texts.contract.documentsTitle}\n${content.contract.documents.map((d) => `• ${d}`).join('\n')}`,
                  homeKeyboard(context),
                ),
              ),
            },
            { guard: pressed(Buttons.Templates), target: 'templateService' },
            { guard: pressed(Buttons.Offices), target: 'settlement' },
            ...unknownText,
          ],
        },
      },
      templateService: {
        entry: say((context) =>
          text(Texts.contract.chooseService, choices(services, context.buttonColor, { back: true })),
        ),
        on: {
          'chat.text': [
            toMenuOnRequest,
            { guard: isBack, target: 'home' },
            {
              guard: { type: 'isTemplateService', params: { labels: services } },
              target: 'templateDwelling',
              actions: {
                type: 'setTemplateService',
                params: ({ event }) => ({ service: pick(event.text, services, (service) => service)! }),
              },
            },
            ...unknownText,
          ],
        },
      },
      templateDwelling: {
        entry: say((context) => text(Texts.contract.chooseDwelling, dwellingKeyboard(context))),
        on: {
          'chat.text': [
            toMenuOnRequest,
            { guard: isBack, target: 'templateService' },
            {
              guard: { type: 'isDwelling', params: ({ context }) => ({ labels: dwellingsOf(context) }) },
              actions: say((context, event) => {
                const dwellings = templateOf(context.templateService)!.dwellings;
                const dwelling = pick(event.text, Object.keys(dwellings), (d) => d)!;
                return file(dwellings[dwelling]!, dwellingKeyboard(context));
              }),
            },
            ...unknownText,
          ],
        },
      },
      settlement: {
        entry: say((context) => text(Texts.contract.chooseSettlement, settlementKeyboard(context))),
        on: {
          'chat.text': [
            toMenuOnRequest,
            { guard: isBack, target: 'home' },
            {
              guard: { type: 'isSettlement', params: { labels: settlements } },
              actions: say((context, event) => officeReplies(context, event.text)),
            },
            ...unknownText,
          ],
        },
      },
    },
  });
};
