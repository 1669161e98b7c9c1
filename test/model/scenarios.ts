import { DEFAULT_BUTTON_COLOR } from '../../machines/keyboards.js';
import { START_COMMAND, MenuItem, Buttons } from '../../machines/texts.js';
import type { ChatInput, CodeRequestOutcome } from '../../machines/setup.js';
import { telegramChatId, type Channel } from '../../shared/contracts/channel.js';
import type { BillingGateway } from '../../shared/ports/billing.js';
import type { CodeCheckResult, CodeRequestResult, PhoneVerification } from '../../shared/ports/verification.js';
import type { EffectPorts } from '../../services/worker/index.js';
import { content } from '../harness/dialogue-driver.js';
import { memoryBilling, memoryPayments, scriptedVerification } from '../harness/demo-billing.js';
import {
  DEMO_ACCOUNT,
  noticeOfShownOrder,
  PAYMENT_SETTLED,
  REMINDER,
  SOMEONE_ELSES_CONTACT,
  text,
  type EventSample,
} from './event-samples.js';

/** How the in-memory billing behaves in a scenario. */
interface BillingSetup {
  period?: { fromDay: number; toDay: number };
  down?: boolean;
  /** The account has no services with meters, or the service no meters. */
  empty?: 'services' | 'meters';
  /** Billing refuses the reading it is sent. */
  rejects?: boolean;
  /** These calls fail (billing down part of the way). */
  failing?: readonly ('meters' | 'history' | 'submitReading' | 'amountDue')[];
}

/**
 * How the verification service answers where the demo fixture would not: a resend (a code request
 * without a phone), a request with the phone, and the wrong code «9999». Each answer depends only
 * on the call, as the effect oracle needs.
 */
interface VerificationSetup {
  resend?: CodeRequestOutcome;
  shared?: CodeRequestOutcome;
  wrongCode?: CodeCheckResult;
  /** The service fails on code requests or on code checks. */
  fails?: 'request' | 'check';
}

/** Where a walk starts and which part of the dialogue it explores. */
export interface Scenario {
  name: string;
  /**
   * The states the walk stays in (top-level, or paths such as 'readings.confirm'); it stops where
   * the dialogue leaves them.
   */
  within: readonly string[];
  /** What the chat has when it starts (button colour, linked accounts). */
  input: Omit<ChatInput, 'chatId'>;
  /** The turns that bring a new chat to the section. */
  prelude: readonly EventSample[];
  /** Events tried on every screen of this scenario besides the keyboard and the wrong inputs. */
  extraEvents?: readonly EventSample[];
  billing?: BillingSetup;
  verification?: VerificationSetup;
  /** The chat's messenger (default Viber): what the dialogue offers and says follows it. */
  channel?: Channel;
}

/** The walk's one chat, on its scenario's messenger. */
export const scenarioChatId = (scenario: Pick<Scenario, 'channel'>): string =>
  scenario.channel === 'telegram' ? telegramChatId(700_000_001) : 'model-chat';

/** Fixed clock: the 27th (Irkutsk time), outside a reading period that ends on the 25th. */
export const AT = Date.UTC(2026, 10, 27, 3, 0, 0);

/** Not the default colour, so a keyboard that forgets the chat's colour is caught. */
const CHOSEN_COLOUR = content.palette.find((entry) => entry.color !== DEFAULT_BUTTON_COLOR)!.color;

const newChat = { buttonColor: CHOSEN_COLOUR };
const linkedChat = { buttonColor: CHOSEN_COLOUR, accounts: [DEMO_ACCOUNT] };
/** A second account billing does not know: enough to choose between and unlink. */
const twoAccountsChat = { buttonColor: CHOSEN_COLOUR, accounts: [DEMO_ACCOUNT, 'инзб87654321'] };
/** The provider's answers about the link on the screen, and about an order of another time. */
const PAYMENT_NOTICES = [
  PAYMENT_SETTLED,
  noticeOfShownOrder('succeeded'),
  noticeOfShownOrder('failed'),
  noticeOfShownOrder('cancelled'),
];
const open = (...items: string[]) => [START_COMMAND, ...items].map(text);
/** At the prompt for the single-zone heating meter (the fixtures' ROLLOVER_METER). */
const AT_A_METER = [MenuItem.Readings, DEMO_ACCOUNT, 'Отопление', 'Счётчик № 778899'];
/** At the share-phone prompt of a new chat, and the identification screens from there on. */
const AT_THE_PHONE = [START_COMMAND, MenuItem.Readings, Buttons.RequestCode, DEMO_ACCOUNT].map(text);
const IDENTIFYING = ['identify.askPhone', 'identify.requestingCode', 'identify.askCode', 'identify.checkingCode'];
/** The screens from the value prompt to billing's answer: what the sending scenarios are about. */
const FROM_THE_VALUE_ON = [
  'readings.enterValue',
  'readings.confirmHigh',
  'readings.nextZone',
  'readings.confirm',
  'readings.submitting',
  'readings.loadingHistory',
];

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'start and menu',
    within: ['awaitingStart', 'menu'],
    input: newChat,
    prelude: [],
    extraEvents: [
      { type: 'chat.opened' },
      { type: 'chat.unsubscribed' },
      { type: 'chat.location', lat: 52.28, lon: 104.3 },
      PAYMENT_SETTLED,
    ],
  },
  { name: 'readings', within: ['readings'], input: linkedChat, prelude: open(MenuItem.Readings) },
  {
    name: 'readings, two accounts',
    within: ['readings.chooseAccount'],
    input: twoAccountsChat,
    prelude: open(MenuItem.Readings),
  },
  {
    name: 'readings, period closed',
    within: ['readings'],
    input: linkedChat,
    prelude: open(MenuItem.Readings),
    billing: { period: { fromDay: 15, toDay: 25 } },
  },
  {
    name: 'readings, billing down',
    within: ['readings'],
    input: linkedChat,
    prelude: open(MenuItem.Readings),
    billing: { down: true },
  },
  {
    name: 'readings, no services',
    within: ['readings'],
    input: linkedChat,
    prelude: open(MenuItem.Readings),
    billing: { empty: 'services' },
  },
  {
    name: 'readings, no meters',
    within: ['readings'],
    input: linkedChat,
    prelude: open(MenuItem.Readings),
    billing: { empty: 'meters' },
  },
  {
    name: 'readings, meters unavailable',
    within: ['readings'],
    input: linkedChat,
    prelude: open(MenuItem.Readings),
    billing: { failing: ['meters'] },
  },
  {
    name: 'readings, refused',
    within: FROM_THE_VALUE_ON,
    input: linkedChat,
    prelude: open(...AT_A_METER),
    billing: { rejects: true },
  },
  {
    name: 'readings, history and sending unavailable',
    within: FROM_THE_VALUE_ON,
    input: linkedChat,
    prelude: open(...AT_A_METER),
    billing: { failing: ['history', 'submitReading'] },
  },
  {
    name: 'payment',
    within: ['payment'],
    input: linkedChat,
    prelude: open(MenuItem.Pay),
    extraEvents: PAYMENT_NOTICES,
  },
  { name: 'payment, two accounts', within: ['payment'], input: twoAccountsChat, prelude: open(MenuItem.Pay) },
  {
    name: 'payment, provider down',
    within: ['payment'],
    input: linkedChat,
    prelude: open(MenuItem.Pay, Buttons.PayByCard),
    billing: { failing: ['amountDue'] },
  },
  { name: 'identify for readings', within: ['identify'], input: newChat, prelude: open(MenuItem.Readings) },
  {
    name: 'identify for payment',
    within: ['identify'],
    input: newChat,
    prelude: open(MenuItem.Pay, Buttons.PayByCard),
  },
  {
    name: 'identify a second account for readings',
    within: ['identify'],
    input: linkedChat,
    prelude: open(MenuItem.Readings, Buttons.AddAccount),
  },
  {
    name: 'identify a second account for payment',
    within: ['identify'],
    input: linkedChat,
    prelude: open(MenuItem.Pay, Buttons.PayByCard, Buttons.AddAccount),
  },
  {
    name: 'identify, billing down',
    within: ['identify'],
    input: newChat,
    prelude: open(MenuItem.Readings, Buttons.RequestCode),
    billing: { down: true },
  },
  {
    name: 'identify, resend too soon, code expired',
    within: ['identify'],
    input: newChat,
    prelude: open(MenuItem.Readings, Buttons.RequestCode, DEMO_ACCOUNT),
    verification: { resend: { result: 'cooldown', seconds: 42 }, wrongCode: { result: 'expired' } },
  },
  {
    name: 'identify, code gone, too many wrong codes',
    within: ['identify'],
    input: newChat,
    prelude: open(MenuItem.Readings, Buttons.RequestCode, DEMO_ACCOUNT),
    verification: { resend: { result: 'no-challenge' }, wrongCode: { result: 'locked', minutes: 30 } },
  },
  {
    name: 'identify, too many codes this hour',
    within: ['identify'],
    input: newChat,
    prelude: open(MenuItem.Pay, Buttons.PayByCard, Buttons.RequestCode, DEMO_ACCOUNT),
    verification: { shared: { result: 'limited', minutes: 42, period: 'hour' } },
  },
  {
    name: 'identify, too many codes today',
    within: ['identify'],
    input: newChat,
    prelude: open(MenuItem.Pay, Buttons.PayByCard, Buttons.RequestCode, DEMO_ACCOUNT),
    verification: { shared: { result: 'limited', minutes: 1000, period: 'day' } },
  },
  {
    name: 'identify, locked on resend',
    within: IDENTIFYING,
    input: newChat,
    prelude: AT_THE_PHONE,
    verification: { resend: { result: 'locked', minutes: 12 } },
  },
  {
    name: 'identify, code requests fail',
    within: IDENTIFYING,
    input: newChat,
    prelude: AT_THE_PHONE,
    verification: { fails: 'request' },
  },
  {
    name: 'identify, code checks fail',
    within: IDENTIFYING,
    input: newChat,
    prelude: AT_THE_PHONE,
    verification: { fails: 'check' },
  },
  { name: 'contract', within: ['contract'], input: newChat, prelude: open(MenuItem.Contract) },
  { name: 'service centre', within: ['serviceCentre'], input: newChat, prelude: open(MenuItem.ServiceCentre) },
  { name: 'cabinet', within: ['cabinet'], input: newChat, prelude: open(MenuItem.Cabinet) },
  { name: 'settings', within: ['settings'], input: newChat, prelude: open(MenuItem.Settings) },
  // Telegram: /start greets, «Настройки» offers no colours, and a contact card must be the sender's own.
  {
    name: 'start and menu, Telegram',
    within: ['awaitingStart', 'menu'],
    input: newChat,
    prelude: [],
    channel: 'telegram',
    extraEvents: [{ type: 'chat.opened', greet: true, context: 'qr' }, text(Buttons.ButtonColor)],
  },
  {
    name: 'settings, Telegram',
    within: ['settings'],
    input: newChat,
    prelude: open(MenuItem.Settings),
    channel: 'telegram',
    extraEvents: [text(Buttons.ButtonColor)],
  },
  {
    name: 'identify for readings, Telegram',
    within: ['identify'],
    input: newChat,
    prelude: open(MenuItem.Readings),
    channel: 'telegram',
    extraEvents: [SOMEONE_ELSES_CONTACT],
  },
  // Reminders on: switching them off, and a reminder arriving, whose «Передать показания» leads to its account.
  {
    name: 'settings, reminders on',
    within: ['settings'],
    input: { ...linkedChat, reminders: true },
    prelude: open(MenuItem.Settings),
    extraEvents: [REMINDER],
  },
  {
    name: 'support',
    within: ['support'],
    input: newChat,
    prelude: open(MenuItem.Support),
    extraEvents: [PAYMENT_SETTLED],
  },
];

const unavailable = (call: string) => () => Promise.reject(new Error(`billing ${call}: unavailable`));

function scenarioBilling(setup: BillingSetup = {}): BillingGateway {
  const billing = memoryBilling({ period: setup.period ?? null, down: () => setup.down ?? false }).gateway;
  const failing = new Set(setup.failing ?? []);
  return {
    ...billing,
    ...(setup.empty === 'services' ? { services: async () => [] } : {}),
    ...(setup.empty === 'meters' ? { meters: async () => [] } : {}),
    ...(setup.rejects
      ? {
          submitReading: async () => ({
            accepted: false as const,
            reason: 'invalid' as const,
            message: 'показание не прошло проверку в биллинге.',
          }),
        }
      : {}),
    ...(failing.has('meters') ? { meters: unavailable('meters') } : {}),
    ...(failing.has('history') ? { history: unavailable('history') } : {}),
    ...(failing.has('submitReading') ? { submitReading: unavailable('submitReading') } : {}),
    ...(failing.has('amountDue') ? { amountDue: unavailable('amountDue') } : {}),
  };
}

function scenarioVerification(setup: VerificationSetup = {}): PhoneVerification {
  // A code valid five minutes from the walk's fixed clock: the oracle's answers do not depend on when it runs.
  const scripted = scriptedVerification({ validUntil: () => AT + 5 * 60_000 });
  return {
    // 'limited' is the machine's, ahead of the port (see machines/setup.ts): the fixture may say it.
    requestCode: async (request) => {
      if (setup.fails === 'request') throw new Error('verification unavailable');
      return ((request.phone === undefined ? setup.resend : setup.shared) ??
        (await scripted.requestCode(request))) as CodeRequestResult;
    },
    checkCode: async (check) => {
      if (setup.fails === 'check') throw new Error('verification unavailable');
      return check.code === '999999' && setup.wrongCode ? setup.wrongCode : scripted.checkCode(check);
    },
  };
}

/** Fresh fixtures behind the side effects, set up as the scenario says. */
export const scenarioPorts = (scenario: Scenario): EffectPorts => ({
  billing: scenarioBilling(scenario.billing),
  verification: scenarioVerification(scenario.verification),
  payments: memoryPayments(),
});

/** Names the fixtures' configuration, for the effect oracle. */
export const portsVariant = (scenario: Scenario) =>
  JSON.stringify({ billing: scenario.billing ?? {}, verification: scenario.verification ?? {} });
