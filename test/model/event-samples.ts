import type { Button } from '../../shared/contracts/reply.js';
import type { ChatMachineEvent } from '../../machines/events.js';
import { MENU_ITEMS } from '../../machines/texts.js';

/** An event as the customer (or the payment provider) makes it; the turn adds its id and time. */
export type EventSample = ChatMachineEvent extends infer E
  ? E extends ChatMachineEvent
    ? Omit<E, 'id' | 'at'>
    : never
  : never;

export const text = (value: string): EventSample => ({ type: 'chat.text', text: value });

/** The account, phone and code the fixtures of test/harness/demo-billing.ts accept. */
export const DEMO_ACCOUNT = 'инзб12345678';
const PHONE_ON_FILE = '+7 900 123-45-67';
const RIGHT_CODE = '123456';

/** Telegram says whose a contact card is: the card of someone else, with the phone on file. */
export const SOMEONE_ELSES_CONTACT: EventSample = { type: 'chat.contact', phone: PHONE_ON_FILE, own: false };

/** What a customer may send on any screen by mistake: the walk tries each of them everywhere. */
export const WRONG_INPUTS: readonly EventSample[] = [
  text('абракадабра'),
  { type: 'chat.media', mediaType: 'sticker' },
  { type: 'chat.contact', phone: '+79990000000' },
  text('Назад'),
  text('В меню'),
  text('12345678'), // an account number without its letter prefix
  text('999999'), // a wrong SMS code
  text('двенадцать'), // a reading that is not a number
];

/**
 * XState's delayed event of the code screen, as a durable timer delivers it: not something a
 * customer sends, but the walk tries it where it can fire, and the runner fires it as a timer.
 */
export const CODE_EXPIRY_TIMER = { type: 'xstate.after.codeExpiry.chat.identify.askCode' } as unknown as EventSample;
export const isTimerSample = (sample: { type: string }) => sample.type.startsWith('xstate.after.');

/** The reminder fan-out's event for the demo account (the chat's machine decides whether to say it). */
export const REMINDER: EventSample = {
  type: 'chat.reminder',
  account: DEMO_ACCOUNT,
  period: '2026-11',
  window: { fromDay: 15, toDay: 25 },
};

/** A main-menu item typed (or pressed on an old keyboard) on any screen opens that section. */
export const MENU_SHORTCUTS: readonly EventSample[] = MENU_ITEMS.map(text);

/** The provider's callback reaches the chat wherever the dialogue is. */
export const PAYMENT_SETTLED: EventSample = {
  type: 'chat.payment',
  orderId: 'order-1',
  status: 'succeeded',
  account: DEMO_ACCOUNT,
  amount: 264285,
};

/**
 * Stands for the order of the payment link on the chat's screen, which is named by the id of the
 * event that asked for it, so it differs between the walk and the worker's run of the same path:
 * each resolves it from the chat's own context, turn by turn (`resolveSample`).
 */
export const SHOWN_ORDER = '(the order shown)';

/** The provider's notice for the link on the screen: paid (the sum paid), or declined or cancelled (no sum). */
export const noticeOfShownOrder = (status: 'succeeded' | 'failed' | 'cancelled'): EventSample => ({
  type: 'chat.payment',
  orderId: SHOWN_ORDER,
  status,
  account: DEMO_ACCOUNT,
  amount: status === 'succeeded' ? 150000 : 0,
});

export function resolveSample<S extends EventSample>(
  sample: S,
  context: { payment?: { orderId?: string } } | undefined,
): S {
  if (sample.type !== 'chat.payment' || sample.orderId !== SHOWN_ORDER) return sample;
  return { ...sample, orderId: context?.payment?.orderId ?? 'no-order-shown' };
}

/**
 * What a customer types where the screen asks for something no button carries (keyed by state
 * path): the right answers of the fixtures, near misses, and readings that exercise every check
 * against the demo meters (day 12000 / night 5000 on six digits, 99950 on a five-digit dial).
 */
export const TYPED_ANSWERS: Readonly<Record<string, readonly EventSample[]>> = {
  'identify.askAccount': [text(DEMO_ACCOUNT), text('ИНЗБ 1234-5678'), text('инзб00000000')],
  'identify.askPhone': [{ type: 'chat.contact' }],
  // The code's expiry timer firing (the worker delivers XState's delayed event; see path-runner.ts).
  'identify.askCode': [text(RIGHT_CODE), text('12'), CODE_EXPIRY_TIMER],
  'readings.enterValue': [text('12100'), text('5100'), text('99990'), text('30'), text('11999'), text('1234567')],
};

/** The events the customer can make with a keyboard: its reply buttons, and its share-phone button. */
export function keyboardEvents(buttons: readonly Button[]): EventSample[] {
  return buttons.flatMap((button): EventSample[] => {
    switch (button.action.kind) {
      case 'reply':
        return [text(button.action.value)];
      case 'share-phone':
        return [{ type: 'chat.contact', phone: PHONE_ON_FILE }];
      default:
        return [];
    }
  });
}

/** Describes an event in a path, short enough for a failure message. */
export const describeEvent = (event: EventSample): string =>
  event.type === 'chat.text'
    ? `«${event.text}»`
    : event.type === 'chat.contact'
      ? `contact(${event.phone ?? 'no phone'})`
      : event.type === 'chat.payment'
        ? `payment ${event.status} (${event.orderId === SHOWN_ORDER ? 'the order shown' : event.orderId})`
        : event.type;
