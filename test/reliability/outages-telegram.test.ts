import { randomInt, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { TelegramFault } from '../../fakes/telegram/app.js';
import { Texts } from '../../machines/texts.js';
import { eventually, freshBus, mongoUrl, natsUrl, outboundLetters } from '../harness/infra.js';
import { sampleSum, scrape } from '../harness/metrics.js';
import { opsUrlOf, startStack, type Stack } from '../harness/processes.js';
import { telegramConversation } from '../harness/telegram-conversation.js';
import { TelegramUpdates } from '../../fakes/telegram/updates.js';

/**
 * Telegram's failures, each met by the rule Viber's meet: a rate limit waits as long as Telegram
 * said, an outage is ridden through in order, a customer who blocked the bot is filed and parks the
 * chat. Compressed: a retry base of tens of milliseconds and a backoff cap of a second.
 */
const COMPRESSED = { ACK_WAIT_MS: '2000', RETRY_BASE_MS: '50', RETRY_MAX_MS: '1000', MAX_DELIVERIES: '3' };

describe('Telegram’s failures are ridden through by the Viber rules', () => {
  let stack: Stack;
  let outboundUrl: string;

  beforeAll(async () => {
    await (await freshBus()).close();
    stack = await startStack({
      natsUrl: natsUrl(),
      mongoUrl: mongoUrl(),
      mongoDb: `tg_outage_${randomUUID().slice(0, 8)}`,
      authToken: 'tg-outage-viber-token',
      telegram: true,
      extraEnv: { ...COMPRESSED, REPLY_MAX_AGE_MS: String(10 * 60_000) },
    });
    outboundUrl = await opsUrlOf(stack.services.find((s) => s.name === 'outbound')!);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const post = (path: string, body: unknown) =>
    fetch(`${stack.fakeTelegramUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const newCustomer = () => telegramConversation(stack, randomInt(1_000_000, 2_000_000_000));

  test('429 with retry_after 2: the reply waits as long as Telegram said, then comes once', async () => {
    const customer = newCustomer();
    await post('/_fake/faults', [{ errorCode: 429, retryAfter: 2 } satisfies TelegramFault]);
    const startedAt = Date.now();
    const welcome = await customer.start();
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(2_000);
    expect(customer.texts(welcome)).toEqual([Texts.welcome]);
    const metrics = await scrape(outboundUrl);
    expect(sampleSum(metrics, 'energobot_telegram_api_calls_total', { status: '429' })).toBe(1);
  });

  test('the Bot API behind a failing gateway for 6 s: every reply once, in order, none filed', async () => {
    const customer = newCustomer();
    await customer.start();
    await post('/_fake/outage', { fault: { httpStatus: 502 } satisfies TelegramFault });
    try {
      for (const line of ['Начать', 'Настройки', 'В меню'])
        await customer.post(TelegramUpdates.text(customer.userId, line));
      await new Promise((resolve) => setTimeout(resolve, 6_000));
    } finally {
      await fetch(`${stack.fakeTelegramUrl}/_fake/outage`, { method: 'DELETE' });
    }
    const answers: string[] = [];
    while (answers.length < 3) answers.push(...customer.texts(await customer.replies(20_000, 1_000)));
    expect(answers).toEqual([Texts.menu, Texts.settings.intro, Texts.menu]);
    expect(await outboundLetters()).toEqual([]);
  });

  test('a customer who blocked the bot: the reply is filed with Telegram’s 403 and the chat parked', async () => {
    const customer = newCustomer();
    await customer.start();
    await post('/_fake/blocked', { chatId: String(customer.userId), blocked: true });
    await customer.post(TelegramUpdates.text(customer.userId, 'Начать'));
    const letter = await eventually(
      async () => (await outboundLetters()).find((l) => new TextDecoder().decode(l.data).includes(customer.chatId)),
      'the reply filed',
    );
    expect(letter.reason).toMatch(/status 403/);
    const metrics = await scrape(outboundUrl);
    expect(sampleSum(metrics, 'energobot_parked_chats')).toBeGreaterThanOrEqual(1);
  });
});
