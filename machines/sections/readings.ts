import { assign } from 'xstate';
import type { Meter } from '../../shared/ports/billing.js';
import { choices, text } from '../keyboards.js';
import { goToMenu, toMenuOnRequest, unknownTextToMenu } from '../navigation.js';
import { checkReading, isImplausible, isPeriodOpen, meterLabel, parseReading, zoneLabel } from '../readings-math.js';
import { chatSetup, isButton, pick, say, textOf, type ChatContext, type ReadingDraft } from '../setup.js';
import { Buttons, formatDate, formatNumber, Texts } from '../texts.js';
import { chooseAccountState, pickedAccount } from './accounts.js';

const draft = (context: ChatContext): ReadingDraft => context.reading!;
const meterOf = (context: ChatContext): Meter => draft(context).meter!;
const zoneOf = (context: ChatContext) => meterOf(context).zones[draft(context).zoneIndex]!;
const typedValue = (event: { type: string }) => parseReading(textOf(event) ?? '');
const checkOf = (context: ChatContext, event: { type: string }) => checkReading(meterOf(context), zoneOf(context), typedValue(event)!);
const consumptionOf = (context: ChatContext, event: { type: string }) => {
  const check = checkOf(context, event);
  return check.ok ? check.consumption : NaN;
};

const valueKeyboard = (context: ChatContext) => choices([Buttons.History], context.buttonColor, { back: true });

/** The prompt for one zone: previous reading (and this month's, if one was sent), then the question. */
function valuePrompt(context: ChatContext): string {
  const meter = meterOf(context);
  const zone = zoneOf(context);
  const label = zoneLabel(meter, zone);
  const lines = [
    ...(draft(context).zoneIndex === 0 ? [Texts.readings.meterHeader(meter.serialNumber)] : []),
    ...(draft(context).zoneIndex === 0 && draft(context).period ? [Texts.readings.period(draft(context).period!.fromDay, draft(context).period!.toDay)] : []),
    Texts.readings.previous(label, formatNumber(zone.previous.value), meter.unit, formatDate(zone.previous.date)),
    ...(zone.current ? [Texts.readings.current(formatNumber(zone.current.value), formatDate(zone.current.date))] : []),
    Texts.readings.askValue(label),
  ];
  return lines.join('\n');
}

function summary(context: ChatContext): string {
  const meter = meterOf(context);
  const lines = meter.zones.map((zone) => {
    const value = draft(context).values[zone.id]!;
    const check = checkReading(meter, zone, value);
    const label = meter.zones.length > 1 ? `${zone.name}: ` : '';
    return Texts.readings.summaryLine(label, formatNumber(value), formatNumber(check.ok ? check.consumption : 0), meter.unit);
  });
  return Texts.readings.summary(lines);
}

const recordValue = (value: (args: { context: ChatContext; event: any }) => number): any =>
  assign({
    reading: ({ context, event }: { context: ChatContext; event: any }) => ({
      ...draft(context),
      values: { ...draft(context).values, [zoneOf(context).id]: value({ context, event }) },
      pending: undefined,
    }),
  });

/**
 * «Передать показания»: identification if no account is linked yet, then account → service →
 * meter → a value for each tariff zone, checked as it is typed → confirmation → billing.
 */
export const readingsState = () =>
  chatSetup.createStateConfig({
    initial: 'start',
    entry: assign({ flow: 'readings' as const }),
    states: {
      start: {
        always: [{ guard: ({ context }) => context.accounts.length > 0, target: 'chooseAccount' }, { target: '#chat.identify' }],
      },
      chooseAccount: chooseAccountState({
        target: '#chat.readings.loadingServices',
        actions: [assign({ reading: ({ context, event }: { context: ChatContext; event: any }) => ({ account: pickedAccount(context, event)!, period: null, services: [], meters: [], zoneIndex: 0, values: {} }) })],
      }),
      loadingServices: {
        invoke: {
          src: 'loadServices',
          input: ({ context }) => ({ account: draft(context).account }),
          onDone: [
            { guard: ({ event }) => event.output.services.length === 0, target: 'chooseAccount', actions: say(() => text(Texts.readings.noServices)) },
            { target: 'chooseService', actions: assign({ reading: ({ context, event }) => ({ ...draft(context), services: event.output.services, period: event.output.period }) }) },
          ],
          onError: goToMenu(Texts.unavailable),
        },
      },
      chooseService: {
        entry: say((context) => text(Texts.readings.chooseService, choices(draft(context).services.map((s) => s.name), context.buttonColor, { back: true }))),
        on: {
          'chat.text': [
            toMenuOnRequest,
            { guard: 'isBack', target: 'chooseAccount' },
            {
              guard: ({ context, event }) => pick(event, draft(context).services, (s) => s.name) !== undefined,
              target: 'loadingMeters',
              actions: assign({ reading: ({ context, event }) => ({ ...draft(context), service: pick(event, draft(context).services, (s) => s.name) }) }),
            },
            ...unknownTextToMenu,
          ],
        },
      },
      loadingMeters: {
        invoke: {
          src: 'loadMeters',
          input: ({ context }) => ({ account: draft(context).account, serviceId: draft(context).service!.id }),
          onDone: [
            { guard: ({ event }) => event.output.length === 0, target: 'chooseService', actions: say(() => text(Texts.readings.noMeters)) },
            { target: 'chooseMeter', actions: assign({ reading: ({ context, event }) => ({ ...draft(context), meters: event.output }) }) },
          ],
          onError: goToMenu(Texts.unavailable),
        },
      },
      chooseMeter: {
        entry: say((context) => text(Texts.readings.chooseMeter, choices(draft(context).meters.map(meterLabel), context.buttonColor, { back: true }))),
        on: {
          'chat.text': [
            toMenuOnRequest,
            { guard: 'isBack', target: 'chooseService' },
            {
              guard: ({ context, event }) => pick(event, draft(context).meters, meterLabel) !== undefined && !isPeriodOpen(draft(context).period, event.at),
              actions: say((context) => text(Texts.readings.periodClosed(draft(context).period!.fromDay, draft(context).period!.toDay), choices(draft(context).meters.map(meterLabel), context.buttonColor, { back: true }))),
            },
            {
              guard: ({ context, event }) => pick(event, draft(context).meters, meterLabel) !== undefined,
              target: 'enterValue',
              actions: assign({ reading: ({ context, event }) => ({ ...draft(context), meter: pick(event, draft(context).meters, meterLabel), zoneIndex: 0, values: {} }) }),
            },
            ...unknownTextToMenu,
          ],
        },
      },
      enterValue: {
        entry: say((context) => text(valuePrompt(context), valueKeyboard(context))),
        on: {
          'chat.text': [
            toMenuOnRequest,
            { guard: 'isBack', target: 'chooseMeter' },
            { guard: ({ event }) => isButton(event, Buttons.History), target: 'loadingHistory' },
            { guard: ({ event }) => typedValue(event) === null, actions: say((context) => text(Texts.readings.notNumber, valueKeyboard(context))) },
            {
              guard: ({ context, event }) => !checkOf(context, event).ok,
              actions: say((context, event) => {
                const check = checkOf(context, event);
                const message =
                  !check.ok && check.problem === 'too-many-digits'
                    ? Texts.readings.tooManyDigits(meterOf(context).digits)
                    : Texts.readings.belowPrevious(formatNumber(zoneOf(context).previous.value));
                return text(message, valueKeyboard(context));
              }),
            },
            {
              guard: ({ context, event }) => isImplausible(meterOf(context), consumptionOf(context, event)),
              target: 'confirmHigh',
              actions: assign({ reading: ({ context, event }) => ({ ...draft(context), pending: typedValue(event)! }) }),
            },
            { target: 'nextZone', actions: recordValue(({ event }) => typedValue(event)!) },
          ],
        },
      },
      confirmHigh: {
        entry: say((context) => {
          const check = checkReading(meterOf(context), zoneOf(context), draft(context).pending!);
          return text(Texts.readings.highConsumption(formatNumber(check.ok ? check.consumption : 0), meterOf(context).unit), choices([Buttons.ConfirmHigh, Buttons.Retype], context.buttonColor));
        }),
        on: {
          'chat.text': [
            toMenuOnRequest,
            { guard: ({ event }) => isButton(event, Buttons.ConfirmHigh), target: 'nextZone', actions: recordValue(({ context }) => draft(context).pending!) },
            { guard: ({ event }) => isButton(event, Buttons.Retype), target: 'enterValue' },
            ...unknownTextToMenu,
          ],
        },
      },
      nextZone: {
        always: [
          {
            guard: ({ context }) => draft(context).zoneIndex + 1 < meterOf(context).zones.length,
            target: 'enterValue',
            actions: assign({ reading: ({ context }) => ({ ...draft(context), zoneIndex: draft(context).zoneIndex + 1 }) }),
          },
          { target: 'confirm' },
        ],
      },
      confirm: {
        entry: say((context) => text(summary(context), choices([Buttons.Confirm, Buttons.Retype], context.buttonColor))),
        on: {
          'chat.text': [
            toMenuOnRequest,
            { guard: ({ event }) => isButton(event, Buttons.Confirm), target: 'submitting' },
            { guard: ({ event }) => isButton(event, Buttons.Retype), target: 'enterValue', actions: assign({ reading: ({ context }) => ({ ...draft(context), zoneIndex: 0, values: {} }) }) },
            ...unknownTextToMenu,
          ],
        },
      },
      submitting: {
        invoke: {
          src: 'submitReading',
          // The event id makes the submission idempotent: a turn run again after a crash records it once.
          input: ({ context, event }) => ({ account: draft(context).account, meterId: meterOf(context).id, values: draft(context).values, idempotencyKey: event.id }),
          onDone: [
            { guard: ({ event }) => event.output.accepted, ...goToMenu(Texts.readings.accepted) },
            { target: 'chooseMeter', actions: say((_c, event) => text(Texts.readings.rejected(event.output.message))) },
          ],
          onError: goToMenu(Texts.unavailable),
        },
      },
      loadingHistory: {
        invoke: {
          src: 'loadHistory',
          input: ({ context }) => ({ account: draft(context).account, meterId: meterOf(context).id }),
          onDone: {
            target: 'enterValue',
            actions: say((context, event) => {
              const meter = meterOf(context);
              const lines = (event.output as { date: string; values: Record<string, number> }[]).map(
                (record) => `${formatDate(record.date)}: ${meter.zones.map((zone) => `${meter.zones.length > 1 ? `${zone.name.toLowerCase()} ` : ''}${formatNumber(record.values[zone.id] ?? 0)}`).join(', ')} ${meter.unit}`,
              );
              return text(Texts.readings.history(lines));
            }),
          },
          onError: { target: 'enterValue', actions: say(() => text(Texts.unavailable)) },
        },
      },
    },
  });
