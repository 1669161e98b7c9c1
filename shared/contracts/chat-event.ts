import type { Channel } from './channel.js';

/**
 * Channel-neutral chat events: what ingress makes of a messenger's callback and what the
 * workers feed the dialogue machines. Nothing here is Viber's wire format.
 */

export const ChatEventKind = {
  /** The customer opened the chat (Viber: conversation_started; Telegram: /start). */
  Opened: 'opened',
  Subscribed: 'subscribed',
  Unsubscribed: 'unsubscribed',
  Text: 'text',
  /** A shared contact, e.g. the answer to a share-phone button. */
  Contact: 'contact',
  Location: 'location',
  /** A picture, sticker, file, video or anything else that is not text. */
  Media: 'media',
  /** The channel could not deliver to this customer (Viber: failed). */
  DeliveryFailed: 'delivery-failed',
  /** The payment provider settled a payment made from this chat (paid, failed or cancelled). */
  Payment: 'payment',
  /**
   * The bot's own: the submission window of a linked account opened today (the reminder fan-out,
   * services/worker/reminders). The chat's machine decides whether to say it (consent, still linked).
   */
  Reminder: 'reminder',
} as const;
export type ChatEventKind = (typeof ChatEventKind)[keyof typeof ChatEventKind];

interface ChatEventBase {
  /** Unique per event from the channel (Viber's message_token kept exact as a string; `tg:<update_id>`). */
  id: string;
  channel: Channel;
  chatId: string;
  /** When the channel says it happened, ms since the epoch. Machines read time only from here. */
  at: number;
}

export type ChatEvent = ChatEventBase &
  /**
   * `greet`: the dialogue says the welcome itself. Viber's welcome is the HTTP answer to
   * conversation_started (nothing else may be sent first), so only channels that let the bot
   * write first set it.
   */
  (
    | { kind: typeof ChatEventKind.Opened; context?: string; name?: string; greet?: boolean }
    | { kind: typeof ChatEventKind.Subscribed; name?: string }
    | { kind: typeof ChatEventKind.Unsubscribed }
    | { kind: typeof ChatEventKind.Text; text: string; name?: string }
    /**
     * `own: false`: the card of someone else, not the sender's own number (Telegram says whose a
     * contact is; Viber's share-phone button shares only the sender's own, and leaves it unset).
     */
    | { kind: typeof ChatEventKind.Contact; phone?: string; name?: string; own?: boolean }
    | { kind: typeof ChatEventKind.Location; lat: number; lon: number }
    | { kind: typeof ChatEventKind.Media; mediaType: string }
    | { kind: typeof ChatEventKind.DeliveryFailed; reason: string }
    | {
        kind: typeof ChatEventKind.Payment;
        orderId: string;
        status: 'succeeded' | 'failed' | 'cancelled';
        account: string;
        amount: number;
      }
    /** `period`: the billing month, YYYY-MM: one reminder per account and month. */
    | {
        kind: typeof ChatEventKind.Reminder;
        account: string;
        period: string;
        window?: { fromDay: number; toDay: number };
      }
  );
