import { assign, enqueueActions, fromPromise, setup } from 'xstate';
import type { Keyboard, Reply } from '../shared/contracts/reply.js';
import { CHANNEL_FEATURES, channelOf } from '../shared/contracts/channel.js';
import type {
  AccountSummary,
  AmountDue,
  BillingService,
  Meter,
  ReadingRecord,
  ReadingSubmission,
  SubmissionPeriod,
  SubmissionResult,
} from '../shared/ports/billing.js';
import {
  CODE_DIGITS,
  type CodeCheckResult,
  type CodeRequest,
  type CodeRequestResult,
} from '../shared/ports/verification.js';
import { isAccountNumber, normaliseAccount } from './account-number.js';
import type { ChatMachineEvent, ReplyEmitted } from './events.js';
import { normaliseCommand } from './events.js';
import { checkReading, isImplausible, isPeriodOpen, meterLabel, parseReading } from './readings-math.js';
import { Buttons, START_COMMAND, type Flow } from './texts.js';

/** A reading being entered: the choices made so far and the values typed, zone by zone. */
export interface ReadingDraft {
  account: string;
  /** When the account was chosen (the customer's event time): the submission period is checked against it. */
  chosenAt: number;
  period: SubmissionPeriod;
  services: BillingService[];
  service?: BillingService;
  meters: Meter[];
  meter?: Meter;
  zoneIndex: number;
  values: Record<string, number>;
  /** A value waiting for the customer to confirm an unusually high consumption. */
  pending?: number;
}

/** The payment being prepared or shown: its account, its order (the id of the event that asked) and link. */
export interface PaymentDraft {
  account: string;
  orderId: string;
  url: string;
}

/** A payment link the chat showed: a provider's notice that names no sum is told with the amount offered. */
export interface PaymentOffer {
  orderId: string;
  account: string;
  /** The amount due offered, kopecks. */
  due: number;
}

/** How many offered payments the chat remembers for the provider's notices. */
const OFFERS_KEPT = 5;

export interface ChatContext {
  chatId: string;
  buttonColor: string;
  /** Accounts linked to this chat by SMS identification, shown as buttons. */
  accounts: string[];
  /** Where a successful identification leads. */
  flow: Flow;
  /** The account being identified. */
  identifying?: string;
  reading?: ReadingDraft;
  payment?: PaymentDraft;
  /** The last payment links shown, newest last; kept when the customer leaves the payment screen. */
  offers?: PaymentOffer[];
  templateService?: string;
  /** The keyboard last shown, so a message that comes unasked (a payment notice) leaves it in place. */
  lastKeyboard?: Keyboard;
  /** When the code sent last expires (ms since the epoch), from the verification service. */
  codeValidUntil?: number;
  /** The code screen has said that the code expired: said once per code. */
  codeExpirySaid?: boolean;
  /** «Напоминания о показаниях»: off until the customer switches them on (consent). */
  reminders?: boolean;
  /** The billing month (YYYY-MM) of the last reminder said, per account: never twice for a month. */
  reminded?: Record<string, string>;
  /** The account of the last reminder said, and when: its «Передать показания» goes straight to that account. */
  lastReminder?: { account: string; at: number };
}

/** What a chat keeps when its dialogue restarts: its settings and linked accounts. */
export interface ChatInput {
  chatId: string;
  buttonColor?: string;
  accounts?: string[];
  reminders?: boolean;
}

/**
 * What `requestCode` answers: `locked` after too many wrong codes, `limited` after too many codes
 * in an hour or a day.
 */
export type CodeRequestOutcome = CodeRequestResult;

const CODE_FORMAT = new RegExp(`^\\d{${CODE_DIGITS}}$`);

const notProvided = (name: string) => () => Promise.reject(new Error(`the worker did not provide the "${name}" actor`));

/** The text of a text event, or undefined. */
const textOf = (event: ChatMachineEvent): string | undefined => (event.type === 'chat.text' ? event.text : undefined);

/** Is the text the given button (pressed or typed)? */
const isLabel = (text: string, label: string): boolean => normaliseCommand(text) === normaliseCommand(label);

/** The item among `items` whose label the customer pressed or typed. */
export function pick<T>(text: string, items: readonly T[], label: (item: T) => string): T | undefined {
  const wanted = normaliseCommand(text);
  return items.find((item) => normaliseCommand(label(item)) === wanted);
}

/** Does the event name one of `labels` (a button pressed or its text typed)? */
const isOneOf = (event: ChatMachineEvent, labels: readonly string[]) => {
  const text = textOf(event);
  return text !== undefined && pick(text, labels, (label) => label) !== undefined;
};

/** The linked account the customer pressed or typed, in whatever case or spacing. */
export const pickedAccount = (context: Pick<ChatContext, 'accounts'>, text: string): string | undefined => {
  const wanted = normaliseAccount(text);
  return context.accounts.find((account) => account === wanted);
};

/** How long a reminder's «Передать показания» leads straight to its account. */
const REMINDER_SHORTCUT_MS = 24 * 60 * 60_000;

/** The account a reminder named, if it came within a day and is still linked. */
export const remindedAccountOf = (context: ChatContext, event: { at?: number }): string | undefined => {
  const last = context.lastReminder;
  return last && context.accounts.includes(last.account) && (event.at ?? Infinity) - last.at < REMINDER_SHORTCUT_MS
    ? last.account
    : undefined;
};

/** The value typed for the current zone, or null when it is not a number. */
const typedReading = (event: ChatMachineEvent): number | null => parseReading(textOf(event) ?? '');

const readingCheck = (context: ChatContext, event: ChatMachineEvent) => {
  const reading = context.reading;
  const meter = reading?.meter;
  const zone = meter?.zones[reading!.zoneIndex];
  const value = typedReading(event);
  return meter && zone && value !== null ? { meter, check: checkReading(meter, zone, value) } : undefined;
};

/** A guard's arguments, as XState gives them to the guards below. */
type GuardArgs = { context: ChatContext; event: ChatMachineEvent };

/**
 * A guard with the words a diagram shows for it instead of its name: fixed, or made from its
 * parameters (the diagram passes the parameters written in the machine; made ones it cannot know).
 */
function described<P = undefined>(
  description: string | ((params: P) => string),
  guard: (args: GuardArgs, params: P) => boolean,
) {
  return Object.assign(guard, { description });
}

const TO_MENU = new Set([Buttons.ToMenu, 'Меню', START_COMMAND].map(normaliseCommand));

/**
 * The one typed setup every part of the chat machine is made with. Side effects are the actors
 * below, declared here by their types and provided by the worker (services/worker/effects/effects.ts);
 * the machine itself only decides and says. Every guard has a name (the diagrams show it, in
 * words), and every action that changes the context takes typed parameters.
 */
export const chatSetup = setup({
  types: {
    context: {} as ChatContext,
    events: {} as ChatMachineEvent,
    emitted: {} as ReplyEmitted,
    input: {} as ChatInput,
  },
  actors: {
    findAccount: fromPromise<AccountSummary | null, { account: string }>(notProvided('findAccount')),
    requestCode: fromPromise<CodeRequestOutcome, CodeRequest>(notProvided('requestCode')),
    checkCode: fromPromise<CodeCheckResult, { chatId: string; account: string; code: string; idempotencyKey: string }>(
      notProvided('checkCode'),
    ),
    loadServices: fromPromise<{ services: BillingService[]; period: SubmissionPeriod }, { account: string }>(
      notProvided('loadServices'),
    ),
    loadMeters: fromPromise<Meter[], { account: string; serviceId: string }>(notProvided('loadMeters')),
    loadHistory: fromPromise<ReadingRecord[], { account: string; meterId: string }>(notProvided('loadHistory')),
    submitReading: fromPromise<SubmissionResult, ReadingSubmission>(notProvided('submitReading')),
    preparePayment: fromPromise<{ due: AmountDue; url: string }, { chatId: string; account: string; orderId: string }>(
      notProvided('preparePayment'),
    ),
  },
  actions: {
    /** Every reply goes out through here; the last keyboard shown is remembered. */
    say: enqueueActions(({ enqueue }, params: { replies: Reply[] }) => {
      for (const reply of params.replies) enqueue.emit({ type: 'reply', reply });
      const shown = [...params.replies].reverse().find((reply) => reply.keyboard)?.keyboard;
      if (shown) enqueue.assign({ lastKeyboard: shown });
    }),
    forgetDrafts: assign({
      identifying: undefined,
      reading: undefined,
      payment: undefined,
      templateService: undefined,
    }),
    setFlow: assign((_, params: { flow: Flow }) => ({ flow: params.flow })),
    setButtonColour: assign((_, params: { color: string }) => ({ buttonColor: params.color })),
    setReminders: assign((_, params: { on: boolean }) => ({ reminders: params.on })),
    noteReminded: assign(({ context }, params: { account: string; period: string; at: number }) => ({
      reminded: { ...context.reminded, [params.account]: params.period },
      lastReminder: { account: params.account, at: params.at },
    })),
    forgetReminder: assign({ lastReminder: undefined }),
    noteCodeSent: assign((_, params: { validUntil: number }) => ({
      codeValidUntil: params.validUntil,
      codeExpirySaid: false,
    })),
    noteCodeExpirySaid: assign({ codeExpirySaid: true }),

    // Identification and accounts.
    startIdentifying: assign((_, params: { account: string }) => ({ identifying: params.account })),
    linkAccount: assign(({ context }) => ({
      accounts:
        context.identifying && !context.accounts.includes(context.identifying)
          ? [...context.accounts, context.identifying]
          : context.accounts,
      identifying: undefined,
    })),
    unlinkAccount: assign(({ context }, params: { account: string }) => ({
      accounts: context.accounts.filter((account) => account !== params.account),
    })),

    // A reading, step by step.
    startReading: assign((_, params: { account: string; at: number }) => ({
      reading: {
        account: params.account,
        chosenAt: params.at,
        period: null,
        services: [],
        meters: [],
        zoneIndex: 0,
        values: {},
      },
    })),
    setServices: assign(({ context }, params: { services: BillingService[]; period: SubmissionPeriod }) => ({
      reading: { ...context.reading!, services: params.services, period: params.period },
    })),
    chooseService: assign(({ context }, params: { service: BillingService }) => ({
      reading: { ...context.reading!, service: params.service },
    })),
    setMeters: assign(({ context }, params: { meters: Meter[] }) => ({
      reading: { ...context.reading!, meters: params.meters },
    })),
    chooseMeter: assign(({ context }, params: { meter: Meter }) => ({
      reading: { ...context.reading!, meter: params.meter, zoneIndex: 0, values: {} },
    })),
    holdReading: assign(({ context }, params: { value: number }) => ({
      reading: { ...context.reading!, pending: params.value },
    })),
    recordReading: assign(({ context }, params: { value: number }) => {
      const reading = context.reading!;
      const zone = reading.meter!.zones[reading.zoneIndex]!;
      return { reading: { ...reading, values: { ...reading.values, [zone.id]: params.value }, pending: undefined } };
    }),
    nextZone: assign(({ context }) => ({
      reading: { ...context.reading!, zoneIndex: context.reading!.zoneIndex + 1 },
    })),
    previousZone: assign(({ context }) => ({
      reading: { ...context.reading!, zoneIndex: Math.max(0, context.reading!.zoneIndex - 1), pending: undefined },
    })),
    restartReading: assign(({ context }) => ({
      reading: { ...context.reading!, zoneIndex: 0, values: {}, pending: undefined },
    })),

    // A payment.
    startPayment: assign((_, params: { account: string; orderId: string }) => ({
      payment: { account: params.account, orderId: params.orderId, url: '' },
    })),
    offerPayment: assign(({ context }, params: { url: string; due: number }) => {
      const payment = { ...context.payment!, url: params.url };
      const offer = { orderId: payment.orderId, account: payment.account, due: params.due };
      return { payment, offers: [...(context.offers ?? []), offer].slice(-OFFERS_KEPT) };
    }),

    setTemplateService: assign((_, params: { service: string }) => ({ templateService: params.service })),
  },
  delays: {
    /** Until the code sent last expires, from the event that showed the code screen. */
    codeExpiry: ({ context, event }) =>
      Math.max(0, (context.codeValidUntil ?? 0) - ((event as { at?: number }).at ?? 0)),
  },
  guards: {
    // What the customer pressed or typed.
    isToMenu: described(
      '«В меню»',
      ({ event }) => event.type === 'chat.text' && TO_MENU.has(normaliseCommand(event.text)),
    ),
    isButton: described(
      (params: { label: string }) => `«${params.label}»`,
      ({ event }, params: { label: string }) => event.type === 'chat.text' && isLabel(event.text, params.label),
    ),
    isLinkedAccount: described(
      'a linked account',
      ({ context, event }) => event.type === 'chat.text' && pickedAccount(context, event.text) !== undefined,
    ),
    isAccountNumber: described(
      'an account number',
      ({ event }) => event.type === 'chat.text' && isAccountNumber(event.text),
    ),
    isAccountAlreadyLinked: described(
      'an account already linked',
      ({ context, event }) => event.type === 'chat.text' && context.accounts.includes(normaliseAccount(event.text)),
    ),
    isCode: described(
      `a ${CODE_DIGITS}-digit code`,
      ({ event }) => event.type === 'chat.text' && CODE_FORMAT.test(event.text.replace(/\s/g, '')),
    ),
    isContactWithoutPhone: described('no phone in it', ({ event }) => event.type === 'chat.contact' && !event.phone),
    isSomeoneElsesContact: described(
      'someone else’s contact',
      ({ event }) => event.type === 'chat.contact' && event.own === false,
    ),
    isGreetingAsked: described(
      'the channel lets the bot greet',
      ({ event }) => event.type === 'chat.opened' && event.greet === true,
    ),
    isButtonColourOffered: described(
      '«Цвет кнопок», where the messenger shows colours',
      ({ context, event }) =>
        event.type === 'chat.text' && isLabel(event.text, Buttons.ButtonColor) && featuresOf(context).buttonColours,
    ),
    isService: described('a service', ({ context, event }) =>
      isOneOf(event, context.reading?.services.map((service) => service.name) ?? []),
    ),
    isMeter: described('a meter', ({ context, event }) =>
      isOneOf(event, context.reading?.meters.map(meterLabel) ?? []),
    ),
    isTemplateService: described('a service', ({ event }, params: { labels: readonly string[] }) =>
      isOneOf(event, params.labels),
    ),
    isDwelling: described('a dwelling type', ({ event }, params: { labels: readonly string[] }) =>
      isOneOf(event, params.labels),
    ),
    isSettlement: described('a settlement', ({ event }, params: { labels: readonly string[] }) =>
      isOneOf(event, params.labels),
    ),
    isPaletteColour: described('a colour', ({ event }, params: { labels: readonly string[] }) =>
      isOneOf(event, params.labels),
    ),

    // The reading typed, checked against the meter.
    isReadingNotNumber: described('not a number', ({ event }) => typedReading(event) === null),
    isReadingTooLong: described('more digits than the dial', ({ context, event }) => {
      const check = readingCheck(context, event)?.check;
      return check?.ok === false && check.problem === 'too-many-digits';
    }),
    isReadingBelowPrevious: described('reading below previous', ({ context, event }) => {
      const check = readingCheck(context, event)?.check;
      return check?.ok === false && check.problem === 'below-previous';
    }),
    isConsumptionHigh: described('consumption above plausible', ({ context, event }) => {
      const found = readingCheck(context, event);
      return found?.check.ok === true && isImplausible(found.meter, found.check.consumption);
    }),

    // Where the dialogue is.
    hasLinkedAccounts: described('an account is linked', ({ context }) => context.accounts.length > 0),
    hasSeveralAccounts: described('other accounts stay linked', ({ context }) => context.accounts.length > 1),
    isPaymentFlow: described('came to pay', ({ context }) => context.flow === 'payment'),
    isCodeExpiryUnsaid: described('expiry not said yet', ({ context }) => !context.codeExpirySaid),
    isReminderWanted: described(
      'reminders on, account linked, not reminded this month',
      ({ context, event }) =>
        event.type === 'chat.reminder' &&
        context.reminders === true &&
        context.accounts.includes(event.account) &&
        context.reminded?.[event.account] !== event.period,
    ),
    isRemindedAccount: described(
      'a reminder of a linked account within a day',
      ({ context, event }) => remindedAccountOf(context, event) !== undefined,
    ),
    isAfterFirstZone: described('not the first tariff zone', ({ context }) => (context.reading?.zoneIndex ?? 0) > 0),
    hasMoreZones: described(
      'another tariff zone',
      ({ context }) =>
        context.reading?.meter !== undefined && context.reading.zoneIndex + 1 < context.reading.meter.zones.length,
    ),

    // What an effect answered (its output is the guard's parameter).
    isAccountUnknown: described('no such account', (_, account: AccountSummary | null) => account === null),
    isCodeSent: described('code sent', (_, outcome: CodeRequestOutcome) => outcome.result === 'sent'),
    isPhoneMismatch: described(
      'phone not the one on file',
      (_, outcome: CodeRequestOutcome) => outcome.result === 'mismatch',
    ),
    isCooldown: described('asked again too soon', (_, outcome: CodeRequestOutcome) => outcome.result === 'cooldown'),
    isLimited: described('too many codes this hour', (_, outcome: CodeRequestOutcome) => outcome.result === 'limited'),
    isLocked: described('locked', (_, outcome: CodeRequestOutcome | CodeCheckResult) => outcome.result === 'locked'),
    isCodeRight: described('code right', (_, outcome: CodeCheckResult) => outcome.result === 'ok'),
    isCodeWrong: described('code wrong', (_, outcome: CodeCheckResult) => outcome.result === 'wrong'),
    isCodeExpired: described('code expired', (_, outcome: CodeCheckResult) => outcome.result === 'expired'),
    hasNoServices: described(
      'no services',
      (_, output: { services: BillingService[] }) => output.services.length === 0,
    ),
    isPeriodClosed: described(
      'outside the submission period',
      (_, params: { period: SubmissionPeriod; at: number }) => !isPeriodOpen(params.period, params.at),
    ),
    hasNoMeters: described('no meters', (_, meters: Meter[]) => meters.length === 0),
    isReadingAccepted: described('accepted', (_, result: SubmissionResult) => result.accepted),

    // The payment provider's notice.
    isNoticeOfShownOrder: described(
      'this link’s payment',
      ({ context, event }) => event.type === 'chat.payment' && context.payment?.orderId === event.orderId,
    ),
    isPaymentSucceeded: described('paid', ({ event }) => event.type === 'chat.payment' && event.status === 'succeeded'),
  },
});

/** What the chat's messenger can show (a chat's id names its channel). */
export const featuresOf = (context: Pick<ChatContext, 'chatId'>) => CHANNEL_FEATURES[channelOf(context.chatId)];

/** The chat's messenger by the name its customers know, for texts that name it. */
export const messengerOf = (context: Pick<ChatContext, 'chatId'>) => featuresOf(context).name;

/** The replies of a `say`, computed from the context and the event of the transition it is on. */
export const say = <E>(build: (context: ChatContext, event: E) => Reply | Reply[]) =>
  ({
    type: 'say',
    params: ({ context, event }: { context: ChatContext; event: E }) => ({ replies: [build(context, event)].flat() }),
  }) as const;
