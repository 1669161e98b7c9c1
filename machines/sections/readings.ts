import { and } from 'xstate';
import type { Meter } from '../../shared/ports/billing.js';
import { choices, text } from '../keyboards.js';
import { goToMenu, isBack, menuItemTransitions, pressed, toMenuOnRequest, unknownText } from '../navigation.js';
import { checkReading, meterLabel, parseReading, zoneLabel } from '../readings-math.js';
import { chatSetup, pick, remindedAccountOf, say, type ChatContext, type ReadingDraft } from '../setup.js';
import { Buttons, formatDate, formatNumber, Texts } from '../texts.js';
import { chooseAccountState } from './accounts.js';

const draft = (context: ChatContext): ReadingDraft => context.reading!;
const meterOf = (context: ChatContext): Meter => draft(context).meter!;
const zoneOf = (context: ChatContext) => meterOf(context).zones[draft(context).zoneIndex]!;
/** The value typed: the guards before the transition using it made sure it is a number. */
const typedValue = (text: string) => parseReading(text)!;

const valueKeyboard = (context: ChatContext) => choices([Buttons.History], context.buttonColor, { back: true });

/** The prompt for one zone: previous reading (and this month's, if one was sent), then the question. */
function valuePrompt(context: ChatContext): string {
  const meter = meterOf(context);
  const zone = zoneOf(context);
  const label = zoneLabel(meter, zone);
  const lines = [
    ...(draft(context).zoneIndex === 0 ? [Texts.readings.meterHeader(meter.serialNumber)] : []),
    ...(draft(context).zoneIndex === 0 && draft(context).period
      ? [Texts.readings.period(draft(context).period!.fromDay, draft(context).period!.toDay)]
      : []),
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
    return Texts.readings.summaryLine(
      label,
      formatNumber(value),
      formatNumber(check.ok ? check.consumption : 0),
      meter.unit,
    );
  });
  return Texts.readings.summary(lines);
}

/**
 * «Передать показания»: identification if no account is linked yet, then account → (the submission
 * period, as soon as billing tells it) → service → meter → a value for each tariff zone, checked
 * as it is typed → confirmation → billing.
 */
export const readingsState = () =>
  chatSetup.createStateConfig({
    initial: 'start',
    entry: { type: 'setFlow', params: { flow: 'readings' } },
    states: {
      start: {
        always: [
          // From a reminder's «Передать показания»: its account, without asking which.
          {
            guard: 'isRemindedAccount',
            target: 'loadingServices',
            actions: [
              {
                type: 'startReading',
                params: ({ context, event }) => ({ account: remindedAccountOf(context, event)!, at: event.at }),
              },
              'forgetReminder',
            ],
          },
          { guard: 'hasLinkedAccounts', target: 'chooseAccount', actions: 'forgetReminder' },
          { target: '#chat.identify' },
        ],
      },
      chooseAccount: chooseAccountState('readings'),
      loadingServices: {
        invoke: {
          src: 'loadServices',
          input: ({ context }) => ({ account: draft(context).account }),
          onDone: [
            {
              guard: { type: 'hasNoServices', params: ({ event }) => event.output },
              target: 'chooseAccount',
              actions: say(() => text(Texts.readings.noServices)),
            },
            {
              // Said now, before any service or meter is chosen in vain.
              guard: {
                type: 'isPeriodClosed',
                params: ({ context, event }) => ({ period: event.output.period, at: draft(context).chosenAt }),
              },
              target: 'periodClosed',
              actions: { type: 'setServices', params: ({ event }) => event.output },
            },
            { target: 'chooseService', actions: { type: 'setServices', params: ({ event }) => event.output } },
          ],
          onError: goToMenu(Texts.unavailable),
        },
      },
      periodClosed: {
        entry: say((context) => {
          const { account, period } = draft(context);
          return text(
            Texts.readings.periodClosed(account, period!.fromDay, period!.toDay),
            choices([], context.buttonColor, { back: true }),
          );
        }),
        on: {
          'chat.text': [toMenuOnRequest, { guard: isBack, target: 'chooseAccount' }, ...unknownText],
        },
      },
      chooseService: {
        entry: say((context) =>
          text(
            Texts.readings.chooseService,
            choices(
              draft(context).services.map((s) => s.name),
              context.buttonColor,
              { back: true },
            ),
          ),
        ),
        on: {
          'chat.text': [
            toMenuOnRequest,
            { guard: isBack, target: 'chooseAccount' },
            {
              guard: 'isService',
              target: 'loadingMeters',
              actions: {
                type: 'chooseService',
                params: ({ context, event }) => ({
                  service: pick(event.text, draft(context).services, (s) => s.name)!,
                }),
              },
            },
            ...unknownText,
          ],
        },
      },
      loadingMeters: {
        invoke: {
          src: 'loadMeters',
          input: ({ context }) => ({ account: draft(context).account, serviceId: draft(context).service!.id }),
          onDone: [
            {
              guard: { type: 'hasNoMeters', params: ({ event }) => event.output },
              target: 'chooseService',
              actions: say(() => text(Texts.readings.noMeters)),
            },
            {
              target: 'chooseMeter',
              actions: { type: 'setMeters', params: ({ event }) => ({ meters: event.output }) },
            },
          ],
          onError: goToMenu(Texts.unavailable),
        },
      },
      chooseMeter: {
        entry: say((context) =>
          text(
            Texts.readings.chooseMeter,
            choices(draft(context).meters.map(meterLabel), context.buttonColor, { back: true }),
          ),
        ),
        on: {
          'chat.text': [
            toMenuOnRequest,
            { guard: isBack, target: 'chooseService' },
            {
              guard: 'isMeter',
              target: 'enterValue',
              actions: {
                type: 'chooseMeter',
                params: ({ context, event }) => ({ meter: pick(event.text, draft(context).meters, meterLabel)! }),
              },
            },
            ...unknownText,
          ],
        },
      },
      enterValue: {
        entry: say((context) => text(valuePrompt(context), valueKeyboard(context))),
        on: {
          'chat.text': [
            toMenuOnRequest,
            // One step back: the previous tariff zone, or the meter choice from the first.
            { guard: and([isBack, 'isAfterFirstZone']), target: 'enterValue', reenter: true, actions: 'previousZone' },
            { guard: isBack, target: 'chooseMeter' },
            { guard: pressed(Buttons.History), target: 'loadingHistory' },
            // A main-menu item typed here opens its section (it is never a number).
            ...menuItemTransitions,
            {
              guard: 'isReadingNotNumber',
              actions: say((context) => text(Texts.readings.notNumber, valueKeyboard(context))),
            },
            {
              guard: 'isReadingTooLong',
              actions: say((context) =>
                text(Texts.readings.tooManyDigits(meterOf(context).digits), valueKeyboard(context)),
              ),
            },
            {
              guard: 'isReadingBelowPrevious',
              actions: say((context) =>
                text(
                  Texts.readings.belowPrevious(formatNumber(zoneOf(context).previous.value)),
                  valueKeyboard(context),
                ),
              ),
            },
            {
              guard: 'isConsumptionHigh',
              target: 'confirmHigh',
              actions: { type: 'holdReading', params: ({ event }) => ({ value: typedValue(event.text) }) },
            },
            {
              target: 'nextZone',
              actions: { type: 'recordReading', params: ({ event }) => ({ value: typedValue(event.text) }) },
            },
          ],
        },
      },
      confirmHigh: {
        entry: say((context) => {
          const check = checkReading(meterOf(context), zoneOf(context), draft(context).pending!);
          return text(
            Texts.readings.highConsumption(formatNumber(check.ok ? check.consumption : 0), meterOf(context).unit),
            choices([Buttons.ConfirmHigh, Buttons.Retype], context.buttonColor),
          );
        }),
        on: {
          'chat.text': [
            toMenuOnRequest,
            {
              guard: pressed(Buttons.ConfirmHigh),
              target: 'nextZone',
              actions: { type: 'recordReading', params: ({ context }) => ({ value: draft(context).pending! }) },
            },
            { guard: pressed(Buttons.Retype), target: 'enterValue' },
            ...unknownText,
          ],
        },
      },
      nextZone: {
        always: [{ guard: 'hasMoreZones', target: 'enterValue', actions: 'nextZone' }, { target: 'confirm' }],
      },
      confirm: {
        entry: say((context) =>
          text(summary(context), choices([Buttons.Confirm, Buttons.Retype], context.buttonColor)),
        ),
        on: {
          'chat.text': [
            toMenuOnRequest,
            { guard: pressed(Buttons.Confirm), target: 'submitting' },
            { guard: pressed(Buttons.Retype), target: 'enterValue', actions: 'restartReading' },
            ...unknownText,
          ],
        },
      },
      submitting: {
        invoke: {
          src: 'submitReading',
          // The event id makes the submission idempotent: a turn run again after a crash records it once.
          input: ({ context, event }) => ({
            account: draft(context).account,
            meterId: meterOf(context).id,
            values: draft(context).values,
            idempotencyKey: event.id,
          }),
          onDone: [
            {
              guard: { type: 'isReadingAccepted', params: ({ event }) => event.output },
              ...goToMenu(Texts.readings.accepted),
            },
            {
              target: 'chooseMeter',
              actions: say((_context, event) =>
                text(Texts.readings.rejected(event.output.accepted ? '' : event.output.message)),
              ),
            },
          ],
          // The values typed stay: «Отправить» again once billing answers.
          onError: { target: 'confirm', actions: say(() => text(Texts.unavailable)) },
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
              const zoneName = (zone: { name: string }) =>
                meter.zones.length > 1 ? `${zone.name.toLowerCase()} ` : '';
              const lines = event.output.map((record) => {
                const values = meter.zones.map((zone) => zoneName(zone) + formatNumber(record.values[zone.id] ?? 0));
                return `${formatDate(record.date)}: ${values.join(', ')} ${meter.unit}`;
              });
              return text(Texts.readings.history(lines));
            }),
          },
          onError: { target: 'enterValue', actions: say(() => text(Texts.unavailable)) },
        },
      },
    },
  });
