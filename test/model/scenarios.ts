import { DEFAULT_BUTTON_COLOR } from '../../machines/keyboards.js';
import { START_COMMAND, MenuItem, Buttons } from '../../machines/texts.js';
import type { ChatInput } from '../../machines/setup.js';
import type { EffectPorts } from '../../services/worker/index.js';
import { content } from '../harness/dialogue-driver.js';
import { memoryBilling, memoryPayments, scriptedVerification } from '../harness/demo-billing.js';
import { DEMO_ACCOUNT, PAYMENT_SETTLED, text, type EventSample } from './event-samples.js';

/** How the in-memory billing behaves in a scenario. */
interface BillingSetup {
  period?: { fromDay: number; toDay: number };
  down?: boolean;
}

/** Where a walk starts and which part of the dialogue it explores. */
export interface Scenario {
  name: string;
  /** The top-level states the walk stays in; it stops where the dialogue leaves them. */
  within: readonly string[];
  /** What the chat has when it starts (button colour, linked accounts). */
  input: Omit<ChatInput, 'chatId'>;
  /** The turns that bring a new chat to the section. */
  prelude: readonly EventSample[];
  /** Events tried on every screen of this scenario besides the keyboard and the wrong inputs. */
  extraEvents?: readonly EventSample[];
  billing?: BillingSetup;
}

/** Fixed clock: the 27th (Irkutsk time), outside a reading period that ends on the 25th. */
export const AT = Date.UTC(2026, 10, 27, 3, 0, 0);

/** Not the default colour, so a keyboard that forgets the chat's colour is caught. */
const CHOSEN_COLOUR = content.palette.find((entry) => entry.color !== DEFAULT_BUTTON_COLOR)!.color;

const newChat = { buttonColor: CHOSEN_COLOUR };
const linkedChat = { buttonColor: CHOSEN_COLOUR, accounts: [DEMO_ACCOUNT] };
const open = (...items: string[]) => [START_COMMAND, ...items].map(text);

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'start and menu',
    within: ['awaitingStart', 'menu'],
    input: newChat,
    prelude: [],
    extraEvents: [{ type: 'chat.opened' }, { type: 'chat.unsubscribed' }, { type: 'chat.location', lat: 52.28, lon: 104.3 }, PAYMENT_SETTLED],
  },
  { name: 'readings', within: ['readings'], input: linkedChat, prelude: open(MenuItem.Readings) },
  { name: 'readings, period closed', within: ['readings'], input: linkedChat, prelude: open(MenuItem.Readings), billing: { period: { fromDay: 15, toDay: 25 } } },
  { name: 'readings, billing down', within: ['readings'], input: linkedChat, prelude: open(MenuItem.Readings), billing: { down: true } },
  { name: 'payment', within: ['payment'], input: linkedChat, prelude: open(MenuItem.Pay), extraEvents: [PAYMENT_SETTLED] },
  { name: 'identify for readings', within: ['identify'], input: newChat, prelude: open(MenuItem.Readings) },
  { name: 'identify for payment', within: ['identify'], input: newChat, prelude: open(MenuItem.Pay, Buttons.PayByCard) },
  { name: 'identify a second account for readings', within: ['identify'], input: linkedChat, prelude: open(MenuItem.Readings, Buttons.AddAccount) },
  { name: 'identify a second account for payment', within: ['identify'], input: linkedChat, prelude: open(MenuItem.Pay, Buttons.PayByCard, Buttons.AddAccount) },
  { name: 'identify, billing down', within: ['identify'], input: newChat, prelude: open(MenuItem.Readings, Buttons.RequestCode), billing: { down: true } },
  { name: 'contract', within: ['contract'], input: newChat, prelude: open(MenuItem.Contract) },
  { name: 'service centre', within: ['serviceCentre'], input: newChat, prelude: open(MenuItem.ServiceCentre) },
  { name: 'cabinet', within: ['cabinet'], input: newChat, prelude: open(MenuItem.Cabinet) },
  { name: 'settings', within: ['settings'], input: newChat, prelude: open(MenuItem.Settings) },
  { name: 'support', within: ['support'], input: newChat, prelude: open(MenuItem.Support), extraEvents: [PAYMENT_SETTLED] },
];

/** Fresh fixtures behind the side effects, set up as the scenario says. */
export const scenarioPorts = (scenario: Scenario): EffectPorts => ({
  billing: memoryBilling({ period: scenario.billing?.period ?? null, down: () => scenario.billing?.down ?? false }).gateway,
  verification: scriptedVerification(),
  payments: memoryPayments(),
});

/** Names the fixtures' configuration, for the effect oracle. */
export const portsVariant = (scenario: Scenario) => JSON.stringify(scenario.billing ?? {});
