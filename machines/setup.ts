import { assign, enqueueActions, fromPromise, setup } from 'xstate';
import type { Keyboard, Reply } from '../shared/reply.js';
import type { AccountSummary, AmountDue, BillingService, Meter, ReadingRecord, ReadingSubmission, SubmissionPeriod, SubmissionResult } from '../shared/ports/billing.js';
import type { CodeCheckResult, CodeRequest, CodeRequestResult } from '../shared/ports/verification.js';
import type { ChatMachineEvent, ReplyEmitted } from './events.js';
import { normaliseCommand } from './events.js';
import { Buttons, START_COMMAND } from './texts.js';

/** A reading being entered: the choices made so far and the values typed, zone by zone. */
export interface ReadingDraft {
  account: string;
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

export interface ChatContext {
  chatId: string;
  buttonColor: string;
  /** Accounts linked to this chat by SMS identification, shown as buttons. */
  accounts: string[];
  /** Where a successful identification leads. */
  flow: 'readings' | 'payment';
  /** The account being identified. */
  identifying?: string;
  reading?: ReadingDraft;
  payment?: { account: string; url: string };
  templateService?: string;
  /** The keyboard last shown, so a message that comes unasked (a payment notice) leaves it in place. */
  lastKeyboard?: Keyboard;
}

/** What a chat keeps when its dialogue restarts: its settings and linked accounts. */
export interface ChatInput {
  chatId: string;
  buttonColor?: string;
  accounts?: string[];
}

const notProvided = (name: string) => () => Promise.reject(new Error(`the worker did not provide the "${name}" actor`));

/**
 * The one typed setup every part of the chat machine is made with. Side effects are the actors
 * below, declared here by their types and provided by the worker (services/worker/effects.ts);
 * the machine itself only decides and says.
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
    requestCode: fromPromise<CodeRequestResult, CodeRequest>(notProvided('requestCode')),
    checkCode: fromPromise<CodeCheckResult, { chatId: string; account: string; code: string; idempotencyKey: string }>(notProvided('checkCode')),
    loadServices: fromPromise<{ services: BillingService[]; period: SubmissionPeriod }, { account: string }>(notProvided('loadServices')),
    loadMeters: fromPromise<Meter[], { account: string; serviceId: string }>(notProvided('loadMeters')),
    loadHistory: fromPromise<ReadingRecord[], { account: string; meterId: string }>(notProvided('loadHistory')),
    submitReading: fromPromise<SubmissionResult, ReadingSubmission>(notProvided('submitReading')),
    preparePayment: fromPromise<{ due: AmountDue; url: string }, { chatId: string; account: string; orderId: string }>(notProvided('preparePayment')),
  },
  actions: {
    say: enqueueActions(({ enqueue }, params: { replies: Reply[] }) => {
      for (const reply of params.replies) enqueue.emit({ type: 'reply', reply });
      const shown = [...params.replies].reverse().find((reply) => reply.keyboard)?.keyboard;
      if (shown) enqueue.assign({ lastKeyboard: shown });
    }),
    forgetDrafts: assign({ identifying: undefined, reading: undefined, payment: undefined, templateService: undefined }),
  },
  guards: {
    isToMenu: ({ event }) => event.type === 'chat.text' && TO_MENU.has(normaliseCommand(event.text)),
    isBack: ({ event }) => event.type === 'chat.text' && normaliseCommand(event.text) === normaliseCommand(Buttons.Back),
  },
});

const TO_MENU = new Set([Buttons.ToMenu, 'Меню', START_COMMAND].map(normaliseCommand));

/** The text of a text event, or undefined. */
export const textOf = (event: { type: string }): string | undefined => (event.type === 'chat.text' ? (event as unknown as { text: string }).text : undefined);

/** Is the event the given button (pressed or typed)? */
export const isButton = (event: { type: string }, label: string): boolean => {
  const text = textOf(event);
  return text !== undefined && normaliseCommand(text) === normaliseCommand(label);
};

/** The item among `items` whose label the customer pressed or typed. */
export function pick<T>(event: { type: string }, items: readonly T[], label: (item: T) => string): T | undefined {
  const text = textOf(event);
  if (text === undefined) return undefined;
  const wanted = normaliseCommand(text);
  return items.find((item) => normaliseCommand(label(item)) === wanted);
}

type SayArgs = { context: ChatContext; event: any };

/** The `say` action with replies computed from the context and the event. */
export const say = (build: (context: ChatContext, event: any) => Reply | Reply[]) =>
  ({ type: 'say', params: ({ context, event }: SayArgs) => ({ replies: [build(context, event)].flat() }) }) as const;
