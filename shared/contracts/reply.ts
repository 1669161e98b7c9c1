import type { Channel } from './channel.js';
import { isRecord } from './is-record.js';

/**
 * Channel-neutral replies: what the dialogue machines say. Outbound renders them for a channel
 * (Viber messages and keyboards); the machines never see a wire format.
 */

export type ButtonAction =
  | { kind: 'reply'; value: string }
  | { kind: 'open-url'; url: string }
  | { kind: 'share-phone' }
  | { kind: 'location-picker' };

export interface Button {
  text: string;
  action: ButtonAction;
  /** Width in a six-column grid, 1..6 (default 6: the full row). */
  columns?: number;
  /** Height, 1..2 (default 1). */
  rows?: number;
  /** This button's own colour, #rrggbb (the colour palette shows each colour on its button). */
  color?: string;
}

export interface Keyboard {
  buttons: Button[];
  /** Background colour of the buttons, #rrggbb: the chat's chosen colour. */
  color?: string;
}

interface ReplyBase {
  /** Shown under the message; replaces the previous keyboard. */
  keyboard?: Keyboard;
}

export type Reply = ReplyBase &
  (
    | { kind: 'text'; text: string }
    | { kind: 'url'; url: string }
    | { kind: 'file'; url: string; fileName: string; size: number }
    | { kind: 'location'; lat: number; lon: number }
  );

/** One reply on its way to the customer, as it travels on the bus from worker to outbound. */
export interface OutboundReply {
  /** `<event id>:<position>`: stable across redeliveries, so each reply is sent once. */
  id: string;
  channel: Channel;
  chatId: string;
  reply: Reply;
  /**
   * When the turn that said it was saved (ms since the epoch, the worker's clock): how outbound
   * knows the bus can hold no other copy of it (services/outbound/deliver.ts). Absent on replies
   * saved by earlier releases.
   */
  madeAt?: number;
}

/**
 * A reply as the bus carries it, or undefined when the bytes are not one (not JSON, or without its
 * id, chat or reply): the one reading that outbound, its parking and the replay of letters share.
 */
export function parseOutboundReply(data: Uint8Array): OutboundReply | undefined {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(data));
    const valid = isRecord(value) && typeof value.id === 'string' && typeof value.chatId === 'string';
    return valid && isRecord(value.reply) ? (value as unknown as OutboundReply) : undefined;
  } catch {
    return undefined;
  }
}
