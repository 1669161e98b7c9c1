/** Viber REST bot API wire types: only the fields this product reads or writes. */

export interface ViberUser {
  id: string;
  name?: string;
  avatar?: string;
  country?: string;
  language?: string;
  api_version?: number;
}

export interface ViberInboundMessage {
  type: 'text' | 'picture' | 'video' | 'file' | 'sticker' | 'contact' | 'url' | 'location' | string;
  text?: string;
  media?: string;
  location?: { lat: number; lon: number };
  contact?: { name?: string; phone_number?: string };
  tracking_data?: string;
}

interface CallbackBase {
  event: string;
  /** ms since the epoch */
  timestamp: number;
  /** Exceeds 2^53: always kept as a string. */
  message_token: string;
}

export type ViberCallback = CallbackBase &
  (
    | { event: 'webhook' }
    | { event: 'message'; sender: ViberUser; message: ViberInboundMessage }
    | { event: 'conversation_started'; type?: string; context?: string; user: ViberUser; subscribed?: boolean }
    | { event: 'subscribed'; user: ViberUser }
    | { event: 'unsubscribed'; user_id: string }
    | { event: 'delivered' | 'seen'; user_id: string }
    | { event: 'failed'; user_id: string; desc?: string }
  );

export const VIBER_EVENT_TYPES = [
  'webhook',
  'message',
  'conversation_started',
  'subscribed',
  'unsubscribed',
  'delivered',
  'seen',
  'failed',
] as const;

/** The events the bot asks Viber for in set_webhook (message, subscribed, unsubscribed always come). */
export const SUBSCRIBED_EVENT_TYPES = ['conversation_started', 'failed'] as const;

export interface ViberButton {
  Columns?: number;
  Rows?: number;
  BgColor?: string;
  ActionType: 'reply' | 'open-url' | 'location-picker' | 'share-phone' | 'none';
  ActionBody: string;
  Text?: string;
  TextSize?: 'small' | 'regular' | 'large';
  Silent?: boolean;
  OpenURLType?: 'internal' | 'external';
}

export interface ViberKeyboard {
  Type: 'keyboard';
  Buttons: ViberButton[];
  BgColor?: string;
  DefaultHeight?: boolean;
  InputFieldState?: 'regular' | 'minimized' | 'hidden';
}

/** The body of send_message, and of the welcome answer to conversation_started (without receiver). */
export interface ViberOutboundMessage {
  receiver?: string;
  type: 'text' | 'url' | 'file' | 'location' | 'picture';
  sender: { name: string; avatar?: string };
  min_api_version?: number;
  tracking_data?: string;
  keyboard?: ViberKeyboard;
  text?: string;
  media?: string;
  file_name?: string;
  size?: number;
  location?: { lat: number; lon: number };
}

/** Viber answers errors as HTTP 200 with a non-zero status. */
export const ViberStatus = {
  Ok: 0,
  InvalidUrl: 1,
  InvalidAuthToken: 2,
  BadData: 3,
  MissingData: 4,
  ReceiverNotRegistered: 5,
  ReceiverNotSubscribed: 6,
  PublicAccountBlocked: 7,
  PublicAccountNotFound: 8,
  PublicAccountSuspended: 9,
  WebhookNotSet: 10,
  ReceiverNoSuitableDevice: 11,
  TooManyRequests: 12,
  ApiVersionNotSupported: 13,
} as const;

export const VIBER_API_URL = 'https://chatapi.viber.com/pa';
