/**
 * Posts a correctly signed Viber callback to ingress, as Viber would, and prints what the bot
 * answered at the (fake) Viber API.
 *
 *   npm run send-event -- --user alice --open
 *   npm run send-event -- --user alice --text Начать
 *   npm run send-event -- --user alice --contact +79001234567
 */
import { parseArgs } from 'node:util';
import { Callbacks, postCallback } from '../../fakes/viber/callbacks.js';
import type { SentMessage } from '../../fakes/viber/app.js';

const { values } = parseArgs({
  options: {
    user: { type: 'string', default: 'demo-customer' },
    text: { type: 'string' },
    open: { type: 'boolean', default: false },
    contact: { type: 'string' },
    webhook: { type: 'string', default: process.env.WEBHOOK_URL ?? 'http://127.0.0.1:8080/viber/webhook' },
    viber: { type: 'string', default: process.env.FAKE_VIBER_URL ?? 'http://127.0.0.1:8090' },
    token: { type: 'string', default: process.env.VIBER_AUTH_TOKEN ?? 'local-dev-token' },
  },
});

const user = values.user!;
const callback = values.open
  ? Callbacks.conversationStarted(user)
  : values.contact
    ? Callbacks.contact(user, values.contact)
    : values.text !== undefined
      ? Callbacks.text(user, values.text)
      : undefined;
if (!callback) {
  console.error('Say what to send: --open, --text <text> or --contact <phone>.');
  process.exit(2);
}

const messagesUrl = `${values.viber}/_fake/messages?receiver=${encodeURIComponent(user)}`;
const sentBefore = await fetch(messagesUrl)
  .then((r) => r.json() as Promise<SentMessage[]>)
  .catch(() => undefined);
const answer = await postCallback(values.webhook!, callback, values.token!);
console.log(`ingress answered ${answer.status}: ${answer.body}`);
// The welcome is the HTTP answer itself (Viber allows nothing else before the customer writes).
if (answer.status !== 200 || !sentBefore || values.open) process.exit(answer.status === 200 ? 0 : 1);

// Replies go through NATS, the worker and outbound: give them a moment, then show what arrived.
const deadline = Date.now() + 3_000;
let fresh: SentMessage[] = [];
while (Date.now() < deadline) {
  await new Promise((resolve) => setTimeout(resolve, 200));
  const now = (await fetch(messagesUrl).then((r) => r.json())) as SentMessage[];
  fresh = now.slice(sentBefore.length);
  if (fresh.length > 0 && Date.now() > deadline - 2_000) break;
}
for (const message of fresh) {
  const buttons = (message.body.keyboard as { Buttons?: { Text?: string }[] } | undefined)?.Buttons?.map(
    (b) => `[${b.Text}]`,
  ).join(' ');
  console.log(
    `bot → ${user}: ${String(message.body.text ?? message.body.media ?? message.body.type)}` +
      `${buttons ? `\n      ${buttons}` : ''}`,
  );
}
if (fresh.length === 0) console.log('(no reply reached the fake Viber API within 3 s)');
