import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SentCall } from '../../fakes/telegram/app.js';
import type { SentMessage } from '../../fakes/viber/app.js';
import type { KeyboardButton } from '../../shared/telegram/types.js';
import { DEFAULT_BUTTON_COLOR } from '../../machines/keyboards.js';
import { isRecord } from '../../shared/contracts/is-record.js';
import { formatAccount, Texts } from '../../machines/texts.js';
import { suiteStack } from '../harness/suite-stack.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../../tools/dev/browser.js';

const SCREENSHOTS = 'test-results/simulator';
const AUTH_TOKEN = 'e2e-simulator-token';
const DEMO_ACCOUNT = 'инзб12345678';

const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;

/** The simulator page as a developer uses it: what a customer sees and does, by the page's own controls. */
function simulatorPage(page: Page) {
  const botTexts = () =>
    page
      .locator('#chat .msg.bot:not(.typing)')
      .evaluateAll((nodes) => nodes.map((node) => node.querySelector('.text')?.textContent ?? node.textContent ?? ''));

  /** Waits for the bot's answer to `action`: new messages, then none for a moment (a turn may send several). */
  async function answerTo(action: () => Promise<void>, timeoutMs = 15_000): Promise<string[]> {
    const before = (await botTexts()).length;
    await action();
    const deadline = Date.now() + timeoutMs;
    let count = before;
    let stableSince = Date.now();
    for (;;) {
      const now = (await botTexts()).length;
      if (now !== count) [count, stableSince] = [now, Date.now()];
      if (count > before && Date.now() - stableSince >= 700) return (await botTexts()).slice(before);
      if (Date.now() > deadline)
        throw new Error(
          `the bot did not answer within ${timeoutMs} ms; chat so far:\n${(await botTexts()).join('\n---\n')}`,
        );
      await page.waitForTimeout(100);
    }
  }

  const button = (text: string) => page.locator('#keyboard').getByRole('button', { name: text, exact: true });

  return {
    botTexts,
    button,
    press: (text: string) => answerTo(() => button(text).click()),
    type: (text: string) =>
      answerTo(async () => {
        await page.locator('#message-input').fill(text);
        await page.locator('#message-input').press('Enter');
      }),
    sharePhone: () => answerTo(() => page.locator('#keyboard [data-action="share-phone"]').click()),
    /** Telegram's «Запустить»: the customer's /start. */
    start: () => answerTo(() => page.locator('#start').click()),
    shot: (name: string) => page.screenshot({ path: `${SCREENSHOTS}/${name}.png` }),
  };
}

/** A new page, with every script error, console error and failed request it meets collected. */
async function openPage(browser: Browser): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'ru-RU' });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
  page.on(
    'response',
    (response) => response.status() >= 400 && problems.push(`${response.status()} ${response.url()}`),
  );
  return { page, problems };
}

describe('the simulator page, in Chromium, against the whole stack', () => {
  const { stack } = suiteStack({ authToken: AUTH_TOKEN, telegram: true });
  let browser: Browser;

  beforeAll(async () => {
    // Fail, not skip: a green run without a browser would hide that the page was never tested.
    if (!existsSync(CHROMIUM))
      throw new Error(
        `${CHROMIUM} is missing and could not be installed (the test harness tries apt-get when run as root)`,
      );
    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
  });

  test(
    'a customer passes a meter reading: keyboard, share-phone, ' +
      'the SMS code from the outbox panel, «Показание принято.»',
    { timeout: 120_000 },
    async () => {
      const { page, problems } = await openPage(browser);
      const sim = simulatorPage(page);

      await page.goto(stack.simulatorUrl);
      // Opening the chat sent conversation_started; the welcome is ingress's answer to it.
      await expect.poll(sim.botTexts, { timeout: 15_000 }).toEqual([expect.stringContaining('Чтобы начать')]);
      await sim.button('Начать').waitFor();
      await sim.shot('01-welcome');

      const menu = await sim.press('Начать');
      expect(menu.length).toBeGreaterThan(0);
      // Laid out as Viber does: the menu's Columns 3 buttons side by side, in the chat's colour as sent.
      const customerId = (await page.locator('#customer-id').textContent())!;
      const sent = (await (
        await fetch(`${stack.fakeViberUrl}/_fake/messages?receiver=${encodeURIComponent(customerId)}`)
      ).json()) as SentMessage[];
      const keyboard = sent.at(-1)!.body.keyboard as { Buttons: { Text: string; BgColor: string; Columns: number }[] };
      const rendered = await page.locator('#keyboard .kb-button').evaluateAll((nodes) =>
        nodes.map((node) => {
          const { top, left, right, width } = node.getBoundingClientRect();
          return {
            text: node.textContent,
            background: node.ownerDocument.defaultView!.getComputedStyle(node).backgroundColor,
            box: { top, left, right, width },
          };
        }),
      );
      expect(rendered.map((button) => button.text)).toEqual(keyboard.Buttons.map((button) => button.Text));
      expect(rendered.map((button) => button.background)).toEqual(
        keyboard.Buttons.map((button) => rgb(button.BgColor)),
      );
      expect(rendered[0]!.background).toBe(rgb(DEFAULT_BUTTON_COLOR));
      expect(keyboard.Buttons[0]!.Columns).toBe(3);
      expect(rendered[1]!.box.top).toBe(rendered[0]!.box.top);
      expect(rendered[1]!.box.left).toBeGreaterThan(rendered[0]!.box.right - 1);
      expect(rendered.at(-1)!.box.width).toBeGreaterThan(rendered[0]!.box.width * 1.8);
      await sim.shot('02-menu');

      expect(await sim.press('Передать показания')).toEqual([Texts.identify.intro]);
      expect(await sim.press('Запросить СМС код')).toEqual([Texts.identify.askAccount]);
      expect(await sim.type(DEMO_ACCOUNT)).toEqual([Texts.identify.askPhone]);
      expect(await sim.sharePhone()).toEqual([Texts.identify.codeSent('+7 ••• •••-45-67')]);

      // The developer's way to the code: the outbox panel, where the SMS to this customer's phone is marked.
      const sms = page.locator('#sms-list li.mine').first();
      await sms.waitFor({ timeout: 10_000 });
      const code = (await sms.locator('.sms-text').textContent())!.match(/\b(\d{6})\b/)![1]!;
      await sim.shot('03-sms-code');

      expect(await sim.type(code)).toEqual([Texts.identify.linked(DEMO_ACCOUNT), Texts.accounts.choose]);
      await sim.press(formatAccount(DEMO_ACCOUNT));
      await sim.press('Электроэнергия');
      const meter = (await page.locator('#keyboard .kb-button').first().textContent())!;
      const dayPrompt = (await sim.press(meter)).join('\n');
      const previousDay = Number(dayPrompt.match(/\(день\): ([\d\s\u00a0]+) кВт·ч/)![1]!.replace(/\D/g, ''));
      await sim.shot('04-day-reading');
      const nightPrompt = (await sim.type(String(previousDay + 75))).join('\n');
      const previousNight = Number(nightPrompt.match(/\(ночь\): ([\d\s\u00a0]+) кВт·ч/)![1]!.replace(/\D/g, ''));
      const summary = (await sim.type(String(previousNight + 30))).join('\n');
      expect(summary).toContain('расход 75 кВт·ч');
      expect(await sim.press('Отправить')).toEqual([Texts.readings.accepted]);
      await expect.poll(() => page.locator('#chat .msg.bot .text').last().textContent()).toBe('Показание принято.');

      // The live inspection: the worker's reports reached the page, and the diagram is drawn.
      await expect.poll(() => page.locator('#current-state').textContent(), { timeout: 10_000 }).toMatch(/\w/);
      await page.locator('#diagram svg').waitFor({ timeout: 15_000 });
      await sim.shot('05-accepted');
      expect(problems).toEqual([]);
    },
  );

  test(
    'customers are chats of their own: «+ клиент» opens another, switching keeps each history',
    { timeout: 60_000 },
    async () => {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'ru-RU' });
      const sim = simulatorPage(page);
      await page.goto(stack.simulatorUrl);
      await sim.button('Начать').waitFor({ timeout: 15_000 });
      await sim.press('Начать');
      const maria = (await sim.botTexts()).length;

      await page.getByRole('button', { name: '+ клиент' }).click();
      await expect.poll(sim.botTexts, { timeout: 15_000 }).toEqual([expect.stringContaining('Чтобы начать')]);
      await expect.poll(() => page.locator('#customer-list li').count()).toBe(2);
      await sim.shot('06-second-customer');

      await page.locator('#customer-list li').first().click();
      expect((await sim.botTexts()).length).toBe(maria);
      await sim.button('Передать показания').waitFor();
    },
  );
  test(
    'a Telegram customer: «Запустить» sends /start, the welcome comes through outbound, ' +
      '«Начать» brings the main menu as a Telegram reply keyboard',
    { timeout: 60_000 },
    async () => {
      const { page, problems } = await openPage(browser);
      const sim = simulatorPage(page);
      await page.goto(stack.simulatorUrl);
      await sim.button('Начать').waitFor({ timeout: 15_000 });

      await page.getByRole('radio', { name: 'Telegram' }).check();
      await page.getByRole('button', { name: '+ клиент' }).click();
      await expect.poll(() => page.locator('#screen').getAttribute('data-channel')).toBe('telegram');
      const chatId = (await page.locator('#customer-id').textContent())!;
      expect(chatId).toMatch(/^tg:\d+$/);
      // A Telegram chat waits for the customer: nothing is sent before /start, and «Запустить» replaces the input.
      expect(await page.locator('#chat .msg').count()).toBe(0);
      expect(await page.locator('#composer').isHidden()).toBe(true);

      expect(await sim.start()).toEqual([expect.stringContaining('Чтобы начать')]);
      expect(await page.locator('#chat .msg.me .text').allTextContents()).toEqual(['/start']);
      await sim.button('Начать').waitFor();
      expect(await page.locator('#keyboard .tg-key').allTextContents()).toEqual(['Начать']);
      await sim.shot('07-telegram-welcome');

      expect((await sim.press('Начать')).length).toBeGreaterThan(0);
      // The reply keyboard as the bot sent it to the fake Bot API: its rows, in Telegram's grey, under the input.
      const telegramId = chatId.slice('tg:'.length);
      const sent = (await (
        await fetch(`${stack.fakeTelegramUrl}/_fake/messages?chat=${telegramId}`)
      ).json()) as SentCall[];
      const markup = sent
        .map((call) => call.body.reply_markup)
        .filter((value) => isRecord(value) && 'keyboard' in value)
        .at(-1) as { keyboard: KeyboardButton[][] };
      const rows = await page
        .locator('#keyboard .tg-row')
        .evaluateAll((nodes) => nodes.map((row) => [...row.querySelectorAll('.tg-key')].map((key) => key.textContent)));
      expect(rows).toEqual(markup.keyboard.map((row) => row.map((button) => button.text)));
      expect(rows.flat()).toContain('Передать показания');
      expect(rows.some((row) => row.length > 1)).toBe(true);
      const keys = await page.locator('#keyboard .tg-key').evaluateAll((nodes) =>
        nodes.map((node) => {
          const { top, left, right } = node.getBoundingClientRect();
          return {
            background: node.ownerDocument.defaultView!.getComputedStyle(node).backgroundColor,
            top,
            left,
            right,
          };
        }),
      );
      expect(new Set(keys.map((key) => key.background)).size).toBe(1);
      const wide = rows.findIndex((row) => row.length > 1);
      const first = rows.slice(0, wide).flat().length;
      expect(keys[first + 1]!.top).toBe(keys[first]!.top);
      expect(keys[first + 1]!.left).toBeGreaterThan(keys[first]!.right - 1);
      const composer = await page.locator('#composer').boundingBox();
      const keyboard = await page.locator('#keyboard').boundingBox();
      expect(keyboard!.y).toBeGreaterThanOrEqual(composer!.y + composer!.height - 1);

      // The diagram follows the Telegram chat by its id.
      await expect.poll(() => page.locator('#current-state').textContent(), { timeout: 10_000 }).toMatch(/\w/);
      await sim.shot('08-telegram-menu');

      // A URL button goes under its message; the reply keyboard comes with the message after it.
      await sim.press('Сервисный центр');
      const link = page.locator('#chat .msg.bot .tg-inline a.tg-inline-button');
      expect(await link.count()).toBe(1);
      expect(await link.getAttribute('href')).toMatch(/^https:\/\//);
      expect(await page.locator('#keyboard .tg-key').allTextContents()).toEqual(['В меню']);
      await sim.shot('09-telegram-url-button');
      expect(problems).toEqual([]);
    },
  );
});
