import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connectBus, type Bus } from '../../shared/bus/bus.js';
import { publishReminderTick } from '../../shared/bus/reminder-bus.js';
import { Buttons, MenuItem, Texts } from '../../machines/texts.js';
import { natsUrl, testLogger } from '../harness/infra.js';
import { opsUrlOf } from '../harness/processes.js';
import { suiteStack } from '../harness/suite-stack.js';
import { conversation, lastSmsCode } from '../harness/conversation.js';
import { sampleSum, scrape } from '../harness/metrics.js';

const AUTH_TOKEN = 'e2e-reminders-token';
/** The demo accounts take readings any day: their window opens on the 1st, so this month's 1st is their day. */
const WINDOW_OPENS = `${new Date().toISOString().slice(0, 7)}-01`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Reading reminders over the running stack: the customer's consent in «Настройки», the daily tick
 * (published here instead of waiting for 10:00 in Irkutsk), the fan-out through billing, the
 * chats' machines, outbound and the fake Viber API.
 */
describe('reading reminders respect consent, unlinking, a reading already in, and unsubscription', () => {
  const { stack } = suiteStack({ authToken: AUTH_TOKEN });
  let bus: Bus;
  beforeAll(async () => {
    bus = await connectBus(natsUrl(), 'reminders-test', testLogger);
  });
  afterAll(async () => {
    await bus?.close();
  });

  /** A customer with `account` linked, and reminders switched on if `consent`. */
  async function customerWith(account: string, phone: string, consent: boolean) {
    const customer = conversation(stack, `r-${randomUUID()}`, AUTH_TOKEN);
    await customer.say('Начать');
    await customer.say(MenuItem.Readings);
    await customer.say(Buttons.RequestCode);
    await customer.say(account);
    await customer.shareContact(phone);
    expect(customer.texts(await customer.say(await lastSmsCode(stack)))[0]).toBe(Texts.identify.linked(account));
    await customer.say(Buttons.ToMenu);
    await customer.say(MenuItem.Settings);
    const screen = await customer.say(Buttons.Reminders);
    // Off until the customer switches it on.
    expect(customer.texts(screen)).toEqual([Texts.settings.reminders(false)]);
    if (consent) expect(customer.texts(await customer.say(Buttons.RemindersOn))).toEqual([Texts.settings.remindersOn]);
    else await customer.say(Buttons.ToMenu);
    return customer;
  }

  const messagesOf = async (chatId: string) =>
    (
      (await (
        await fetch(`${stack.fakeViberUrl}/_fake/messages?receiver=${encodeURIComponent(chatId)}`)
      ).json()) as unknown[]
    ).length;

  test(
    'an unsubscribed customer: Viber refuses the reminder (status 6), ' +
      'it is dropped and counted, the chat is not parked',
    async () => {
      const leaving = await customerWith('инзб11112222', '+79990000000', true);
      const before = await messagesOf(leaving.chatId);
      // The next call to Viber is refused as for a customer who unsubscribed.
      await fetch(`${stack.fakeViberUrl}/_fake/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ status: 6 }]),
      });
      await publishReminderTick(bus.js, { day: WINDOW_OPENS });
      const outbound = await opsUrlOf(stack.services.find((s) => s.name === 'outbound')!);
      for (let waited = 0; sampleSum(await scrape(outbound), 'energobot_reminders_dropped_total') < 1; waited += 200) {
        if (waited > 20_000) throw new Error('the refused reminder was not counted');
        await sleep(200);
      }
      expect(await messagesOf(leaving.chatId)).toBe(before);
      expect(sampleSum(await scrape(outbound), 'energobot_parked_chats')).toBe(0);
      // The customer's own messages still get their answers: nothing waits behind the reminder.
      expect(leaving.texts(await leaving.say(Buttons.ToMenu))).toEqual([Texts.menu]);
    },
  );

  test(
    'said to the customer who switched reminders on, not to one who did not, ' +
      'unlinked the account, or has the reading in; once',
    async () => {
      const consenting = await customerWith('инзб12345678', '+79001234567', true);
      const silent = await customerWith('инзб12345678', '+79001234567', false);
      const unlinking = await customerWith('инзб12345678', '+79001234567', true);
      await unlinking.say(MenuItem.Readings);
      await unlinking.say(Buttons.UnlinkAccount);
      expect(unlinking.texts(await unlinking.say('ИНЗБ12345678'))).toEqual([Texts.accounts.unlinked('инзб12345678')]);
      const submitted = await customerWith('инзб87654321', '+79007654321', true);
      const accepted = await fetch(`${stack.referenceUrl}/billing/readings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          account: 'инзб87654321',
          meterId: 'm-87654321-el',
          values: { single: 30 },
          idempotencyKey: `r-${randomUUID()}`,
        }),
      });
      expect(((await accepted.json()) as { accepted: boolean }).accepted).toBe(true);
      const counts = {
        silent: await messagesOf(silent.chatId),
        unlinking: await messagesOf(unlinking.chatId),
        submitted: await messagesOf(submitted.chatId),
      };

      await publishReminderTick(bus.js, { day: WINDOW_OPENS });
      const reminder = await consenting.replies(20_000);
      expect(consenting.texts(reminder)).toEqual([Texts.reminders.due('инзб12345678')]);
      expect(consenting.buttons(reminder).map((b) => b.Text)).toEqual([MenuItem.Readings, Buttons.ToMenu]);
      // «Передать показания» starts the readings of that account: its services, no account to choose.
      const services = await consenting.say(consenting.buttons(reminder)[0]!.ActionBody);
      expect(consenting.texts(services)).toEqual([Texts.readings.chooseService]);

      // The same tick again (a worker died mid-way and another took it): nobody is reminded twice.
      const said = await messagesOf(consenting.chatId);
      // This time from the simulator's «Наступил день показаний», which ticks for the same day.
      const simulated = await fetch(`${stack.simulatorUrl}/api/reminders/tick`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(await simulated.json()).toEqual({ day: WINDOW_OPENS });
      await sleep(4_000);
      expect(await messagesOf(consenting.chatId)).toBe(said);
      expect({
        silent: await messagesOf(silent.chatId),
        unlinking: await messagesOf(unlinking.chatId),
        submitted: await messagesOf(submitted.chatId),
      }).toEqual(counts);
      const worker = stack.services.find((s) => s.name === 'worker')!;
      const fanned = worker.logs.filter((line) => line.msg === 'reminders fanned out');
      expect(fanned.some((line) => Number(line['reading-in']) >= 1)).toBe(true);
      const after = await consenting.say(Buttons.ToMenu);
      expect(consenting.texts(after)).toEqual([Texts.menu]);
    },
  );
});
