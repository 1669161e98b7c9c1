import type { SentMessage } from '../../../fakes/viber/app.js';
import { Callbacks, postCallback } from '../../../fakes/viber/callbacks.js';
import { sentLog, WAIT_SECONDS } from './sent-log.js';

/** A signed Viber callback to ingress, as Viber would send it, and what the bot then sent at the fake Viber API. */

export interface ViberEventOptions {
  user: string;
  open: boolean;
  text?: string;
  contact?: string;
  webhook: string;
  fakeViber: string;
  token: string;
}

/** The callback the options ask for, or undefined when they ask for none. */
function callbackOf(options: ViberEventOptions) {
  if (options.open) return Callbacks.conversationStarted(options.user);
  if (options.contact) return Callbacks.contact(options.user, options.contact);
  if (options.text !== undefined) return Callbacks.text(options.user, options.text);
  return undefined;
}

/** Resolves to the exit code. */
export async function sendViberEvent(options: ViberEventOptions): Promise<number> {
  const { user } = options;
  const callback = callbackOf(options);
  if (!callback) {
    console.error('Say what to send: --open, --text <text> or --contact <phone>.');
    return 2;
  }

  const log = sentLog<SentMessage>(`${options.fakeViber}/_fake/messages?receiver=${encodeURIComponent(user)}`);
  const mark = await log.mark();
  const answer = await postCallback(options.webhook, callback, options.token);
  console.log(`ingress answered ${answer.status}: ${answer.body}`);
  // The welcome is the HTTP answer itself (Viber allows nothing else before the customer writes).
  if (answer.status !== 200 || mark === undefined || options.open) return answer.status === 200 ? 0 : 1;

  const fresh = await log.since(mark);
  for (const message of fresh) {
    const buttons = (message.body.keyboard as { Buttons?: { Text?: string }[] } | undefined)?.Buttons?.map(
      (b) => `[${b.Text}]`,
    ).join(' ');
    console.log(
      `bot → ${user}: ${String(message.body.text ?? message.body.media ?? message.body.type)}` +
        `${buttons ? `\n      ${buttons}` : ''}`,
    );
  }
  if (fresh.length === 0) console.log(`(no reply reached the fake Viber API within ${WAIT_SECONDS} s)`);
  return 0;
}
