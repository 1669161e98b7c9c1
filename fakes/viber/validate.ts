import { isRecord } from '../../shared/contracts/is-record.js';
import { ViberStatus } from '../../shared/viber/types.js';

/** Viber's documented limits on send_message, checked the way Viber answers: a status, not an HTTP error. */
const LIMITS = {
  senderName: 28,
  text: 7000,
  buttonText: 250,
  trackingData: 4000,
  requestBytes: 30 * 1024,
  buttons: 24,
} as const;
const MESSAGE_TYPES = new Set([
  'text',
  'picture',
  'video',
  'file',
  'location',
  'contact',
  'sticker',
  'carousel content',
  'url',
  'rich_media',
]);
const ACTION_TYPES = new Set(['reply', 'open-url', 'location-picker', 'share-phone', 'none']);
const COLOR = /^#[0-9a-fA-F]{6}$/;

export interface Refusal {
  status: number;
  message: string;
}

const bad = (message: string): Refusal => ({ status: ViberStatus.BadData, message });

function validateKeyboard(keyboard: unknown, minApiVersion: number): Refusal | null {
  if (!isRecord(keyboard)) return bad('keyboard must be an object');
  if (keyboard.Type !== 'keyboard') return bad('keyboard.Type must be "keyboard"');
  if (!Array.isArray(keyboard.Buttons) || keyboard.Buttons.length === 0)
    return bad('keyboard.Buttons must be a non-empty array');
  if (keyboard.Buttons.length > LIMITS.buttons) return bad(`keyboard has more than ${LIMITS.buttons} buttons`);
  for (const [index, button] of keyboard.Buttons.entries()) {
    const where = `keyboard.Buttons[${index}]`;
    if (!isRecord<any>(button)) return bad(`${where} must be an object`);
    if (
      button.Columns !== undefined &&
      !(Number.isInteger(button.Columns) && button.Columns >= 1 && button.Columns <= 6)
    )
      return bad(`${where}.Columns must be 1..6`);
    if (button.Rows !== undefined && !(Number.isInteger(button.Rows) && button.Rows >= 1 && button.Rows <= 2))
      return bad(`${where}.Rows must be 1..2`);
    if (button.BgColor !== undefined && !COLOR.test(button.BgColor)) return bad(`${where}.BgColor must be #rrggbb`);
    if (!ACTION_TYPES.has(button.ActionType ?? 'reply')) return bad(`${where}.ActionType is unknown`);
    if (typeof button.ActionBody !== 'string' || button.ActionBody === '')
      return bad(`${where}.ActionBody is required`);
    if (typeof button.Text === 'string' && button.Text.length > LIMITS.buttonText)
      return bad(`${where}.Text is longer than ${LIMITS.buttonText}`);
    if (button.ActionType === 'share-phone' && minApiVersion < 3)
      return { status: ViberStatus.ApiVersionNotSupported, message: 'share-phone needs min_api_version 3' };
  }
  return null;
}

/** Returns why Viber would refuse this send_message body, or null if it would accept it. */
export function validateSendMessage(body: unknown, rawBytes: number): Refusal | null {
  if (rawBytes > LIMITS.requestBytes) return bad(`request is larger than ${LIMITS.requestBytes} bytes`);
  if (!isRecord<any>(body)) return bad('body must be a JSON object');
  if (typeof body.receiver !== 'string' || body.receiver === '')
    return { status: ViberStatus.MissingData, message: 'receiver is required' };
  if (!isRecord(body.sender) || typeof body.sender.name !== 'string' || body.sender.name === '')
    return { status: ViberStatus.MissingData, message: 'sender.name is required' };
  if (body.sender.name.length > LIMITS.senderName) return bad(`sender.name is longer than ${LIMITS.senderName}`);
  if (typeof body.tracking_data === 'string' && body.tracking_data.length > LIMITS.trackingData)
    return bad('tracking_data is too long');
  if (!MESSAGE_TYPES.has(body.type)) return bad(`type "${String(body.type)}" is unknown`);
  if (body.type === 'text' && (typeof body.text !== 'string' || body.text === ''))
    return { status: ViberStatus.MissingData, message: 'text is required' };
  if (body.type === 'text' && body.text.length > LIMITS.text) return bad(`text is longer than ${LIMITS.text}`);
  if ((body.type === 'url' || body.type === 'file' || body.type === 'picture') && typeof body.media !== 'string')
    return { status: ViberStatus.MissingData, message: 'media is required' };
  if (body.keyboard !== undefined) return validateKeyboard(body.keyboard, Number(body.min_api_version ?? 1));
  return null;
}
