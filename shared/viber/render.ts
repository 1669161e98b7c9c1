import type { Button, Keyboard, Reply } from '../contracts/reply.js';
import type { ViberButton, ViberKeyboard, ViberOutboundMessage } from './types.js';

export interface ViberSender {
  name: string;
  avatar?: string;
}

/** share-phone buttons work only on clients with API version 3 or newer. */
const SHARE_PHONE_MIN_API_VERSION = 3;
const DEFAULT_BUTTON_COLOR = '#FFFFFF';

function renderButton(button: Button, color: string): ViberButton {
  const base = {
    Columns: button.columns ?? 6,
    Rows: button.rows ?? 1,
    BgColor: button.color ?? color,
    Text: button.text,
    TextSize: 'regular' as const,
  };
  switch (button.action.kind) {
    case 'reply':
      return { ...base, ActionType: 'reply', ActionBody: button.action.value };
    case 'open-url':
      return { ...base, ActionType: 'open-url', ActionBody: button.action.url, OpenURLType: 'internal', Silent: true };
    case 'share-phone':
      return { ...base, ActionType: 'share-phone', ActionBody: 'share-phone' };
    case 'location-picker':
      return { ...base, ActionType: 'location-picker', ActionBody: 'location-picker' };
  }
}

export function renderKeyboard(keyboard: Keyboard): ViberKeyboard {
  const color = keyboard.color ?? DEFAULT_BUTTON_COLOR;
  return {
    Type: 'keyboard',
    DefaultHeight: false,
    Buttons: keyboard.buttons.map((button) => renderButton(button, color)),
  };
}

function needsShareOrPicker(keyboard: Keyboard | undefined): boolean {
  return keyboard?.buttons.some((b) => b.action.kind === 'share-phone' || b.action.kind === 'location-picker') ?? false;
}

function renderBody(
  reply: Reply,
): Pick<ViberOutboundMessage, 'type' | 'text' | 'media' | 'file_name' | 'size' | 'location'> {
  switch (reply.kind) {
    case 'text':
      return { type: 'text', text: reply.text };
    case 'url':
      return { type: 'url', media: reply.url };
    case 'file':
      return { type: 'file', media: reply.url, file_name: reply.fileName, size: reply.size };
    case 'location':
      return { type: 'location', location: { lat: reply.lat, lon: reply.lon } };
  }
}

/** Renders one reply as a Viber send_message body; `receiver` is left out for the welcome answer. */
export function renderViberMessage(reply: Reply, sender: ViberSender, receiver?: string): ViberOutboundMessage {
  const message: ViberOutboundMessage = {
    ...(receiver === undefined ? {} : { receiver }),
    sender: { name: sender.name, ...(sender.avatar ? { avatar: sender.avatar } : {}) },
    ...renderBody(reply),
  };
  if (reply.keyboard) message.keyboard = renderKeyboard(reply.keyboard);
  if (needsShareOrPicker(reply.keyboard)) message.min_api_version = SHARE_PHONE_MIN_API_VERSION;
  return message;
}
