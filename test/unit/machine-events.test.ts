import { describe, expect, expectTypeOf, test } from 'vitest';
import type { ChatEvent, ChatEventKind } from '../../shared/contracts/chat-event.js';
import { toMachineEvent, type ChatMachineEvent, type ChatMachineEventOf } from '../../machines/events.js';

const base = { id: 'e-1', channel: 'viber', chatId: 'c-1', at: 1 } as const;

/** One event of every kind the channel-neutral core knows. */
const EVERY_KIND: { [K in ChatEventKind]: Extract<ChatEvent, { kind: K }> } = {
  opened: { ...base, kind: 'opened', context: 'qr' },
  subscribed: { ...base, kind: 'subscribed' },
  unsubscribed: { ...base, kind: 'unsubscribed' },
  text: { ...base, kind: 'text', text: 'Начать' },
  contact: { ...base, kind: 'contact', phone: '+79001234567' },
  location: { ...base, kind: 'location', lat: 52.28, lon: 104.3 },
  media: { ...base, kind: 'media', mediaType: 'sticker' },
  'delivery-failed': { ...base, kind: 'delivery-failed', reason: 'blocked' },
  payment: { ...base, kind: 'payment', orderId: 'o-1', status: 'failed', account: 'инзб12345678', amount: 0 },
  reminder: { ...base, kind: 'reminder', account: 'инзб12345678', period: '2026-12' },
};

describe('the machine’s events are made from ChatEvent, kind by kind', () => {
  test('their types cannot drift: one machine event type per chat event kind, with the same fields', () => {
    expectTypeOf<ChatMachineEvent['type']>().toEqualTypeOf<`chat.${ChatEventKind}`>();
    type Payment = {
      type: 'chat.payment';
      id: string;
      at: number;
      orderId: string;
      status: 'succeeded' | 'failed' | 'cancelled';
      account: string;
      amount: number;
    };
    expectTypeOf<ChatMachineEventOf<'chat.payment'>>().toMatchTypeOf<Payment>();
    expectTypeOf<Payment>().toMatchTypeOf<ChatMachineEventOf<'chat.payment'>>();
    expectTypeOf<ChatMachineEventOf<'chat.payment'>>().not.toHaveProperty('chatId');
    expectTypeOf<ChatMachineEventOf<'chat.text'>>().toHaveProperty('text').toEqualTypeOf<string>();
    expectTypeOf<ChatMachineEventOf<'chat.contact'>>().toHaveProperty('phone').toEqualTypeOf<string | undefined>();
  });

  test('toMachineEvent keeps each kind’s fields, its id and time, and drops the routing', () => {
    for (const event of Object.values(EVERY_KIND)) {
      const { kind, channel: _channel, chatId: _chatId, ...fields } = event;
      expect(toMachineEvent(event)).toEqual({ ...fields, type: `chat.${kind}` });
    }
  });
});
