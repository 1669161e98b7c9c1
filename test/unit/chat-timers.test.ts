import { describe, expect, test } from 'vitest';
import type { ArmedTimer, TimerFired } from '../../shared/contracts/timer.js';
import { createLogger } from '../../shared/ops/logger.js';
import { armTimers } from '../../services/worker/index.js';
import { Buttons, MenuItem, Texts } from '../../machines/texts.js';
import { dialogueDriver } from '../harness/dialogue-driver.js';
import { memoryBilling, memoryPayments, scriptedVerification } from '../harness/demo-billing.js';

const silent = createLogger('chat-timers-test', 'silent');

/** A driver whose timers are recorded instead of stored on the bus. */
function driver() {
  const scheduled: ArmedTimer[] = [];
  const cancelled: string[] = [];
  const d = dialogueDriver({
    billing: memoryBilling().gateway,
    verification: scriptedVerification(),
    payments: memoryPayments(),
  });
  Object.assign((d.actor as unknown as { deps: object }).deps, {
    timers: {
      schedule: async (t: ArmedTimer[]) => void scheduled.push(...t),
      cancel: async (ids: string[]) => void cancelled.push(...ids),
    },
  });
  let seq = 1000;
  const fire = async (timer: ArmedTimer) => {
    const fired: TimerFired = {
      kind: 'timer',
      chatId: 'chat-1',
      channel: 'viber',
      token: timer.token,
      timerId: timer.id,
      at: timer.at,
      event: timer.event,
    };
    return d.actor.fire(fired, ++seq, { logger: silent, correlationId: 'timer' });
  };
  return { ...d, scheduled, cancelled, fire, armed: () => d.store.latest('chat-1')?.timers ?? [] };
}

async function toCodeScreen(d: ReturnType<typeof driver>) {
  await d.say('Начать');
  await d.say(MenuItem.Readings);
  await d.say(Buttons.RequestCode);
  await d.say('инзб12345678');
  return d.send({ type: 'chat.contact', phone: '+79001234567' });
}

describe('durable timers of the dialogue', () => {
  test(
    'the code screen arms the expiry timer; ' + 'when it fires the bot says so once, with «Отправить код повторно»',
    async () => {
      const d = driver();
      await toCodeScreen(d);
      expect(d.armed()).toHaveLength(1);
      const [timer] = d.scheduled;
      expect(timer!.id).toContain('codeExpiry');
      expect(timer!.at - Date.now()).toBeGreaterThan(4 * 60_000);
      const before = d.store.latest('chat-1')!.version;
      expect(await d.fire(timer!)).toBe('applied');
      const record = d.store.latest('chat-1')!;
      expect(record.version).toBe(before + 1);
      expect(record.outbox.map((o) => (o.reply.kind === 'text' ? o.reply.text : ''))).toEqual([Texts.identify.expired]);
      expect(record.outbox[0]!.reply.keyboard!.buttons.map((b) => b.text)).toContain(Buttons.ResendCode);
      expect(d.armed()).toEqual([]);
      // The same timer again (redelivered under another sequence, or a stale copy): nothing.
      expect(await d.fire(timer!)).toBe('stale');
    },
  );

  test('leaving the state cancels the timer, and a copy that fires anyway is stale', async () => {
    const d = driver();
    await toCodeScreen(d);
    const [timer] = d.scheduled;
    await d.say('В меню');
    expect(d.armed()).toEqual([]);
    expect(d.cancelled).toEqual([timer!.id]);
    const version = d.store.latest('chat-1')!.version;
    expect(await d.fire(timer!)).toBe('stale');
    expect(d.store.latest('chat-1')!.version).toBe(version);
  });

  test('a timer armed again gets a new token: the earlier arming is stale', async () => {
    const d = driver();
    await toCodeScreen(d);
    const first = d.scheduled[0]!;
    await d.say('999999'); // a wrong code: checkingCode, then the code screen again
    const second = d.scheduled.at(-1)!;
    expect(second.id).toBe(first.id);
    expect(second.token).not.toBe(first.token);
    expect(await d.fire(first)).toBe('stale');
    expect(await d.fire(second)).toBe('applied');
  });

  test('armTimers: arm, re-arm, cancel in one step', () => {
    const event = { type: 'x' };
    const before: ArmedTimer[] = [{ id: 'a', token: 'c0~a', at: 1, event }];
    const changes = armTimers(
      before,
      [{ cancel: 'a' }, { arm: { id: 'a', delay: 5, event } }, { arm: { id: 'b', delay: 1, event } }, { cancel: 'b' }],
      { causeId: 'c1', now: 100 },
    );
    expect(changes.armed.map((t) => [t.id, t.token, t.at])).toEqual([['a', 'c1~a', 105]]);
    expect(changes.scheduled.map((t) => t.id)).toEqual(['a']);
    expect(changes.cancelled).toEqual([]);
  });
});

describe('reading reminders in the dialogue', () => {
  const reminder = (account = 'инзб12345678', period = '2026-12') => ({
    type: 'chat.reminder' as const,
    account,
    period,
    window: { fromDay: 15, toDay: 25 },
  });

  async function linked(d: ReturnType<typeof driver>) {
    await toCodeScreen(d);
    await d.say('123456');
  }

  test(
    'off until switched on; then said once a month; ' + '«Передать показания» starts the readings of that account',
    async () => {
      const d = driver();
      await linked(d);
      expect(await d.send(reminder())).toEqual([]);
      await d.say('В меню');
      await d.say(MenuItem.Settings);
      expect(d.buttons(await d.say(Buttons.Reminders))).toContain(Buttons.RemindersOn);
      expect(d.texts(await d.say(Buttons.RemindersOn))).toEqual([Texts.settings.remindersOn]);
      const said = await d.send(reminder());
      expect(d.texts(said)).toEqual([Texts.reminders.due('инзб12345678', { fromDay: 15, toDay: 25 })]);
      const button = said[0]!.keyboard!.buttons[0]!;
      expect(button.text).toBe(MenuItem.Readings);
      expect(await d.send(reminder())).toEqual([]);
      await d.say(button.action.kind === 'reply' ? button.action.value : '');
      expect(d.state()!.value).toEqual({ readings: 'chooseService' });
    },
  );

  test('not for an account unlinked, nor after switching off', async () => {
    const d = driver();
    await linked(d);
    await d.say('В меню');
    await d.say(MenuItem.Settings);
    await d.say(Buttons.Reminders);
    await d.say(Buttons.RemindersOn);
    expect(await d.send(reminder('инзб99999999'))).toEqual([]);
    await d.say(MenuItem.Settings);
    await d.say(Buttons.Reminders);
    await d.say(Buttons.RemindersOff);
    expect(await d.send(reminder())).toEqual([]);
  });
});
