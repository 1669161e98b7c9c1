import type { ConfigReader } from '../ops/config.js';
import type { ViberSender } from './render.js';
import { VIBER_API_URL } from './types.js';

export interface ViberConfig {
  authToken: string;
  apiUrl: string;
  sender: ViberSender;
}

/** Viber limits the sender's name to 28 characters. */
const MAX_SENDER_NAME = 28;

export function readViberConfig(env: ConfigReader): ViberConfig {
  const name = env.string('VIBER_BOT_NAME', 'Иркутскэнергосбыт');
  if (name.length > MAX_SENDER_NAME)
    env.invalid(`VIBER_BOT_NAME must have at most ${MAX_SENDER_NAME} characters, it has ${name.length}`);
  const avatar = env.string('VIBER_BOT_AVATAR', '');
  return {
    authToken: env.secret('VIBER_AUTH_TOKEN'),
    apiUrl: env.url('VIBER_API_URL', VIBER_API_URL).replace(/\/$/, ''),
    sender: { name, ...(avatar ? { avatar } : {}) },
  };
}
