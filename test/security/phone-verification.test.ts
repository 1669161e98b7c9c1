import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Store } from '../../shared/store/mongo.js';
import type { CodeCheckResult } from '../../shared/ports/verification.js';
import { type StoredPhoneVerification, VerificationLimits } from '../../services/worker/index.js';
import { freshStore } from '../harness/infra.js';
import { billingWithPhones, CapturingSms, leaves, manualClock, verificationOn } from './verification-kit.js';

const PHONE = '79001234567';
const OTHER_PHONE = '79007654321';
/** Two accounts share PHONE (one customer, two flats); the rest have phones of their own. */
const ACCOUNTS: Record<string, string> = {
  инзб00000001: PHONE,
  инзб00000002: PHONE,
  инзб00000003: OTHER_PHONE,
  ...Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`инзб1000000${i}`, `7911000000${i}`])),
};
const MINUTE = 60_000;

describe('SMS codes on the real store (StoredPhoneVerification)', () => {
  let store: Store;
  let sms: CapturingSms;
  let clock: ReturnType<typeof manualClock>;
  /** Two worker processes: two instances on the same database. */
  let workerA: StoredPhoneVerification;
  let workerB: StoredPhoneVerification;
  let keys = 0;

  beforeAll(async () => {
    store = await freshStore();
  });
  afterAll(async () => {
    await store.db.dropDatabase();
    await store.close();
  });
  beforeEach(async () => {
    await store.db.collection('sms_challenges').deleteMany({});
    await store.db.collection('sms_sends').deleteMany({});
    sms = new CapturingSms();
    clock = manualClock();
    const deps = { billing: billingWithPhones(ACCOUNTS), sms, now: clock.now };
    workerA = verificationOn(store.db, deps);
    workerB = verificationOn(store.db, deps);
  });

  /** The customer shares `phone` for `account` (a new event, so a new idempotency key). */
  const ask = (
    worker: StoredPhoneVerification,
    chatId: string,
    account: string,
    phone: string | null = ACCOUNTS[account] ?? null,
  ) => worker.requestCode({ chatId, account, ...(phone === null ? {} : { phone }), idempotencyKey: `event-${++keys}` });
  /** «Отправить код повторно»: no phone, the current challenge's. */
  const resend = (worker: StoredPhoneVerification, chatId: string, account: string) =>
    ask(worker, chatId, account, null);
  /** The customer types `code` (a new event, so a new idempotency key, unless the turn runs again with `key`). */
  const check = (worker: StoredPhoneVerification, chatId: string, account: string, code: string, key?: string) =>
    worker.checkCode({ chatId, account, code, idempotencyKey: key ?? `check-${++keys}` });
  const wrongCodeFor = (code: string) => (code === '000000' ? '000001' : '000000');

  test('the code is stored only as a keyed hash: no stored document holds it', async () => {
    for (const [index, account] of ['инзб00000001', 'инзб00000003', 'инзб10000000'].entries()) {
      expect((await ask(workerA, `chat-${index}`, account)).result).toBe('sent');
    }
    const documents = [
      ...(await store.db.collection('sms_challenges').find().toArray()),
      ...(await store.db.collection('sms_sends').find().toArray()),
    ];
    expect(documents.length).toBeGreaterThanOrEqual(6);
    for (const { phone, text } of sms.delivered) {
      const code = text.match(/\d{6}/)![0];
      for (const { path, value } of documents.flatMap((document) => [...leaves(document)])) {
        expect(String(value), path).not.toBe(code);
        // A phone number may contain the same four digits by chance; nothing else may.
        if (value !== phone)
          expect(new RegExp(`\\b${code}\\b`).test(String(value)), `${path} holds the code`).toBe(false);
      }
    }
  });

  test('five wrong codes lock the account for this chat; the right code is then refused too', async () => {
    await ask(workerA, 'chat-1', 'инзб00000001');
    const code = sms.lastCode();
    const results: CodeCheckResult[] = [];
    for (let i = 0; i < VerificationLimits.attemptsPerCode; i++)
      results.push(await check(i % 2 ? workerA : workerB, 'chat-1', 'инзб00000001', wrongCodeFor(code)));
    expect(results).toEqual([
      { result: 'wrong', attemptsLeft: 4 },
      { result: 'wrong', attemptsLeft: 3 },
      { result: 'wrong', attemptsLeft: 2 },
      { result: 'wrong', attemptsLeft: 1 },
      { result: 'locked', minutes: VerificationLimits.lockMs / MINUTE },
    ]);
    expect(await check(workerA, 'chat-1', 'инзб00000001', code)).toMatchObject({ result: 'locked' });
    expect(await ask(workerB, 'chat-1', 'инзб00000001')).toMatchObject({ result: 'locked' });

    clock.advance(VerificationLimits.lockMs + 1);
    expect((await ask(workerB, 'chat-1', 'инзб00000001')).result).toBe('sent');
    expect(await check(workerA, 'chat-1', 'инзб00000001', sms.lastCode())).toEqual({ result: 'ok' });
  });

  test('a code expires five minutes after it was sent', async () => {
    await ask(workerA, 'chat-1', 'инзб00000001');
    const first = sms.lastCode(PHONE);
    await ask(workerA, 'chat-2', 'инзб00000003');
    const second = sms.lastCode(OTHER_PHONE);

    clock.advance(VerificationLimits.codeTtlMs - 1_000);
    expect(await check(workerB, 'chat-1', 'инзб00000001', first)).toEqual({ result: 'ok' });
    clock.advance(2_000);
    expect(await check(workerB, 'chat-2', 'инзб00000003', second)).toEqual({ result: 'expired' });
    // «Отправить код повторно» then sends a fresh one, which works.
    expect((await resend(workerA, 'chat-2', 'инзб00000003')).result).toBe('sent');
    expect(await check(workerB, 'chat-2', 'инзб00000003', sms.lastCode(OTHER_PHONE))).toEqual({ result: 'ok' });
  });

  test('a new code only a minute after the last one; the new code replaces the old', async () => {
    await ask(workerA, 'chat-1', 'инзб00000001');
    const old = sms.lastCode();
    clock.advance(30_000);
    expect(await resend(workerB, 'chat-1', 'инзб00000001')).toEqual({ result: 'cooldown', seconds: 30 });
    expect(await ask(workerB, 'chat-1', 'инзб00000001')).toEqual({ result: 'cooldown', seconds: 30 });
    expect(sms.calls).toHaveLength(1);

    clock.advance(30_000);
    expect((await resend(workerB, 'chat-1', 'инзб00000001')).result).toBe('sent');
    const fresh = sms.lastCode();
    if (fresh !== old) expect(await check(workerA, 'chat-1', 'инзб00000001', old)).toMatchObject({ result: 'wrong' });
    expect(await check(workerA, 'chat-1', 'инзб00000001', fresh)).toEqual({ result: 'ok' });
  });

  describe('at most five codes an hour, counted by both workers together', () => {
    /** Asks for codes in turn on the two workers; returns the results. */
    const askInTurn = async (requests: (readonly [chatId: string, account: string])[]) => {
      const results = [];
      for (const [index, [chatId, account]] of requests.entries())
        results.push((await ask(index % 2 ? workerB : workerA, chatId, account)).result);
      return results;
    };
    const sixTimes = <T>(make: (i: number) => T) =>
      Array.from({ length: VerificationLimits.codesPerHour + 1 }, (_, i) => make(i));
    const fiveSentThenLimited = [...Array<string>(VerificationLimits.codesPerHour).fill('sent'), 'limited'];

    test('to one account, from different chats', async () => {
      expect(await askInTurn(sixTimes((i) => [`chat-${i}`, 'инзб00000003'] as const))).toEqual(fiveSentThenLimited);
      expect(sms.delivered).toHaveLength(VerificationLimits.codesPerHour);
    });

    test('to one phone, for different accounts', async () => {
      const accounts = ['инзб00000001', 'инзб00000002'];
      expect(await askInTurn(sixTimes((i) => [`chat-${i}`, accounts[i % 2]!] as const))).toEqual(fiveSentThenLimited);
    });

    test('from one chat, for different accounts and phones', async () => {
      expect(await askInTurn(sixTimes((i) => ['chat-1', `инзб1000000${i}`] as const))).toEqual(fiveSentThenLimited);
    });

    test('the limit lifts an hour after the first code, and says in how many minutes', async () => {
      await askInTurn(
        sixTimes((i) => [`chat-${i}`, 'инзб00000003'] as const).slice(0, VerificationLimits.codesPerHour),
      );
      clock.advance(20 * MINUTE);
      expect(await ask(workerA, 'chat-x', 'инзб00000003')).toEqual({ result: 'limited', period: 'hour', minutes: 40 });
      clock.advance(40 * MINUTE + 1);
      expect((await ask(workerB, 'chat-x', 'инзб00000003')).result).toBe('sent');
    });

    test('ten codes a day to one account: the eleventh waits for the day, however the hours are spread', async () => {
      // Two codes an hour from chats of their own: never the hourly limit, only the daily one.
      const results: string[] = [];
      for (let i = 0; i <= VerificationLimits.codesPerDay; i++) {
        results.push((await ask(workerA, `chat-day-${i}`, 'инзб00000003')).result);
        clock.advance(30 * MINUTE);
      }
      expect(results).toEqual([...Array<string>(VerificationLimits.codesPerDay).fill('sent'), 'limited']);
      // The first code went 5.5 h ago: the day lifts 18.5 h from now.
      expect(await ask(workerB, 'chat-day-x', 'инзб00000003')).toEqual({
        result: 'limited',
        period: 'day',
        minutes: 18 * 60 + 30,
      });
      clock.advance((18 * 60 + 30) * MINUTE + 1);
      expect((await ask(workerB, 'chat-day-x', 'инзб00000003')).result).toBe('sent');
    });

    test('requests racing on two workers cannot pass the limit together', async () => {
      const results = await Promise.all(
        sixTimes((i) => ask(i % 2 ? workerB : workerA, `chat-${i}`, 'инзб00000003')).concat(
          sixTimes((i) => ask(i % 2 ? workerA : workerB, `chat-r${i}`, 'инзб00000003')),
        ),
      );
      expect(results.filter((r) => r.result === 'sent').length).toBeLessThanOrEqual(VerificationLimits.codesPerHour);
      expect(sms.delivered.length).toBeLessThanOrEqual(VerificationLimits.codesPerHour);
    });
  });

  describe('races for attempts (two workers, fired together)', () => {
    test('two checks racing for the last attempt: only one is evaluated', async () => {
      for (let round = 0; round < 15; round++) {
        const chatId = `race-${round}`;
        await ask(workerA, chatId, 'инзб00000001');
        const code = sms.lastCode();
        for (let i = 0; i < VerificationLimits.attemptsPerCode - 1; i++)
          await check(workerA, chatId, 'инзб00000001', wrongCodeFor(code));
        const results = await Promise.all([
          check(workerA, chatId, 'инзб00000001', code),
          check(workerB, chatId, 'инзб00000001', code),
        ]);
        expect(
          results.filter((r) => r.result === 'ok'),
          JSON.stringify(results),
        ).toHaveLength(1);
        clock.advance(VerificationLimits.resendCooldownMs);
        await store.db.collection('sms_sends').deleteMany({});
      }
    });

    test('a burst of wrong guesses gets no more than five attempts', async () => {
      for (let round = 0; round < 5; round++) {
        const chatId = `burst-${round}`;
        await ask(workerA, chatId, 'инзб00000001');
        const code = sms.lastCode();
        const guesses = Array.from({ length: 12 }, (_, i) => String((Number(code) + 1 + i) % 10_000).padStart(4, '0'));
        const results = await Promise.all(
          guesses.map((guess, i) => check(i % 2 ? workerA : workerB, chatId, 'инзб00000001', guess)),
        );
        const wrong = results.filter((r): r is { result: 'wrong'; attemptsLeft: number } => r.result === 'wrong');
        expect(wrong.map((r) => r.attemptsLeft).sort(), JSON.stringify(results)).toEqual([1, 2, 3, 4]);
        expect(results.filter((r) => r.result === 'locked')).toHaveLength(guesses.length - 4);
        expect(await check(workerA, chatId, 'инзб00000001', code)).toMatchObject({ result: 'locked' });
        await store.db.collection('sms_sends').deleteMany({});
      }
    });
  });

  describe('one attempt per check: a check run again with its idempotency key', () => {
    const ACCOUNT = 'инзб00000001';
    const attemptsSpent = () => store.db.collection('sms_attempts').countDocuments();
    const locked = { result: 'locked', minutes: VerificationLimits.lockMs / MINUTE };
    beforeEach(async () => {
      await store.db.collection('sms_attempts').deleteMany({});
    });

    test('five wrong codes under five keys: 4, 3, 2, 1 left, then locked; each run again the same', async () => {
      await ask(workerA, 'chat-1', ACCOUNT);
      const wrong = wrongCodeFor(sms.lastCode());
      const results: CodeCheckResult[] = [];
      for (let i = 0; i < VerificationLimits.attemptsPerCode; i++) {
        const first = await check(workerA, 'chat-1', ACCOUNT, wrong, `wrong-${i}`);
        // The worker died before saving the answer: the turn runs again, on another worker.
        expect(await check(workerB, 'chat-1', ACCOUNT, wrong, `wrong-${i}`)).toEqual(first);
        results.push(first);
      }
      expect(results).toEqual([
        { result: 'wrong', attemptsLeft: 4 },
        { result: 'wrong', attemptsLeft: 3 },
        { result: 'wrong', attemptsLeft: 2 },
        { result: 'wrong', attemptsLeft: 1 },
        locked,
      ]);
      expect(await attemptsSpent()).toBe(VerificationLimits.attemptsPerCode);
      // Run again once the code is locked, each check still gets its own answer, and spends nothing.
      for (const [i, result] of results.entries()) {
        expect(await check(workerB, 'chat-1', ACCOUNT, wrong, `wrong-${i}`)).toEqual(result);
      }
      expect(await check(workerA, 'chat-1', ACCOUNT, sms.lastCode())).toEqual(locked);
      expect(await attemptsSpent()).toBe(VerificationLimits.attemptsPerCode);
    });

    test('the right code run again with its key is ok again; another key finds the code used', async () => {
      await ask(workerA, 'chat-1', ACCOUNT);
      const code = sms.lastCode();
      const typo = { result: 'wrong', attemptsLeft: 4 };
      expect(await check(workerA, 'chat-1', ACCOUNT, wrongCodeFor(code), 'typo')).toEqual(typo);
      expect(await check(workerA, 'chat-1', ACCOUNT, code, 'right')).toEqual({ result: 'ok' });
      expect(await check(workerB, 'chat-1', ACCOUNT, code, 'right')).toEqual({ result: 'ok' });
      expect(await check(workerB, 'chat-1', ACCOUNT, code, 'another')).toEqual({ result: 'expired' });
      expect(await check(workerB, 'chat-1', ACCOUNT, wrongCodeFor(code), 'typo')).toEqual(typo);
      // Even after the code's time is up, the check that used it is answered the same.
      clock.advance(VerificationLimits.codeTtlMs + 1);
      expect(await check(workerA, 'chat-1', ACCOUNT, code, 'right')).toEqual({ result: 'ok' });
      expect(await attemptsSpent()).toBe(2);
    });

    test('a used code is no challenge: a resend asks for the phone, a new code waits for no cooldown', async () => {
      await ask(workerA, 'chat-1', ACCOUNT);
      expect(await check(workerA, 'chat-1', ACCOUNT, sms.lastCode())).toEqual({ result: 'ok' });
      expect(await resend(workerB, 'chat-1', ACCOUNT)).toEqual({ result: 'no-challenge' });
      expect((await ask(workerB, 'chat-1', ACCOUNT)).result).toBe('sent');
      expect(await check(workerA, 'chat-1', ACCOUNT, sms.lastCode())).toEqual({ result: 'ok' });
    });

    test('a check that died after spending its attempt, run again later, sets the lock it would have set', async () => {
      await ask(workerA, 'chat-1', ACCOUNT);
      const wrong = wrongCodeFor(sms.lastCode());
      for (let i = 0; i < VerificationLimits.attemptsPerCode; i++) {
        await check(workerA, 'chat-1', ACCOUNT, wrong, `wrong-${i}`);
      }
      // As if the fifth check had died between taking its slot and locking.
      await store.db.collection('sms_challenges').updateMany({}, { $unset: { lockedUntil: '' } });
      clock.advance(10 * MINUTE);
      const lastKey = `wrong-${VerificationLimits.attemptsPerCode - 1}`;
      expect(await check(workerB, 'chat-1', ACCOUNT, wrong, lastKey)).toEqual({ result: 'locked', minutes: 20 });
      expect(await check(workerB, 'chat-1', ACCOUNT, wrong, lastKey)).toEqual({ result: 'locked', minutes: 20 });
      expect(await ask(workerA, 'chat-1', ACCOUNT)).toEqual({ result: 'locked', minutes: 20 });
    });

    test('the same check on two workers at once spends one attempt and gets one answer', async () => {
      for (let round = 0; round < 5; round++) {
        const chatId = `twice-${round}`;
        await ask(workerA, chatId, ACCOUNT);
        const code = sms.lastCode();
        const twice = (typed: string, key: string) =>
          Promise.all([check(workerA, chatId, ACCOUNT, typed, key), check(workerB, chatId, ACCOUNT, typed, key)]);
        for (let i = 0; i < VerificationLimits.attemptsPerCode - 1; i++) {
          const wrong = { result: 'wrong', attemptsLeft: VerificationLimits.attemptsPerCode - 1 - i };
          expect(await twice(wrongCodeFor(code), `${chatId}-${i}`)).toEqual([wrong, wrong]);
        }
        expect(await twice(code, `${chatId}-right`)).toEqual([{ result: 'ok' }, { result: 'ok' }]);
        expect(await check(workerA, chatId, ACCOUNT, code)).toEqual({ result: 'expired' });
        await store.db.collection('sms_sends').deleteMany({});
      }
    });
  });

  describe('one SMS per event', () => {
    test('the same event handled twice (a turn run again) sends one SMS', async () => {
      const request = { chatId: 'chat-1', account: 'инзб00000001', phone: PHONE, idempotencyKey: 'event-once' };
      expect((await workerA.requestCode(request)).result).toBe('sent');
      expect((await workerB.requestCode(request)).result).toBe('sent');
      expect(sms.calls).toHaveLength(1);
      expect(await check(workerA, 'chat-1', 'инзб00000001', sms.lastCode())).toEqual({ result: 'ok' });
    });

    test('the same event on two workers at once: one SMS reaches the phone, and its code works', async () => {
      for (let round = 0; round < 10; round++) {
        const request = {
          chatId: `chat-${round}`,
          account: 'инзб00000003',
          phone: OTHER_PHONE,
          idempotencyKey: `event-twice-${round}`,
        };
        const results = await Promise.all([workerA.requestCode(request), workerB.requestCode(request)]);
        expect(results.map((r) => r.result)).toEqual(['sent', 'sent']);
        expect(sms.delivered.filter((s) => s.idempotencyKey.endsWith(`:event-twice-${round}`))).toHaveLength(1);
        expect(await check(workerA, `chat-${round}`, 'инзб00000003', sms.lastCode())).toEqual({ result: 'ok' });
        await store.db.collection('sms_sends').deleteMany({});
      }
    });

    test('a gateway that sent the SMS but timed out: the turn run again keeps the code the customer has', async () => {
      sms.failAfterSending = 1;
      const request = { chatId: 'chat-1', account: 'инзб00000001', phone: PHONE, idempotencyKey: 'event-timeout' };
      await expect(workerA.requestCode(request)).rejects.toThrow(/timed out/);
      const received = sms.lastCode();
      expect((await workerB.requestCode(request)).result).toBe('sent');
      expect(sms.delivered).toHaveLength(1);
      expect(await check(workerA, 'chat-1', 'инзб00000001', received)).toEqual({ result: 'ok' });
    });
  });

  describe('a code request run again late (a stale worker) gives back no attempt', () => {
    test('its code keeps the attempts spent on it, and its lock', async () => {
      const request = { chatId: 'chat-1', account: 'инзб00000001', phone: PHONE, idempotencyKey: 'event-late' };
      const notedUnsent = () => store.db.collection('sms_challenges').updateMany({}, { $set: { delivered: false } });
      await workerA.requestCode(request);
      const wrong = wrongCodeFor(sms.lastCode());
      await check(workerA, 'chat-1', 'инзб00000001', wrong);
      await check(workerA, 'chat-1', 'инзб00000001', wrong);
      // The late run read the challenge before the first run noted the SMS sent.
      await notedUnsent();
      expect((await workerB.requestCode(request)).result).toBe('sent');
      expect(await check(workerA, 'chat-1', 'инзб00000001', wrong)).toEqual({ result: 'wrong', attemptsLeft: 2 });
      await check(workerA, 'chat-1', 'инзб00000001', wrong);
      expect(await check(workerA, 'chat-1', 'инзб00000001', wrong)).toMatchObject({ result: 'locked' });
      await notedUnsent();
      expect((await workerB.requestCode(request)).result).toBe('sent');
      expect(await check(workerA, 'chat-1', 'инзб00000001', sms.lastCode())).toMatchObject({ result: 'locked' });
      expect(sms.delivered).toHaveLength(1);
    });
  });

  describe('the phone must be the one on file', () => {
    test('another phone is a mismatch: no SMS, nothing stored', async () => {
      expect(await ask(workerA, 'chat-1', 'инзб00000001', OTHER_PHONE)).toEqual({ result: 'mismatch' });
      expect(await ask(workerA, 'chat-1', 'инзб99999999', PHONE)).toEqual({ result: 'mismatch' });
      expect(sms.calls).toHaveLength(0);
      expect(await store.db.collection('sms_challenges').countDocuments()).toBe(0);
      expect(await check(workerA, 'chat-1', 'инзб00000001', '123456')).toEqual({ result: 'expired' });
    });

    test('the same phone written another way (8…, +7 …) matches, and the SMS goes to the number on file', async () => {
      expect(await ask(workerA, 'chat-1', 'инзб00000001', '8 (900) 123-45-67')).toEqual({
        result: 'sent',
        maskedPhone: '+7 ••• •••-45-67',
        validUntil: expect.any(Number),
      });
      expect(await ask(workerA, 'chat-2', 'инзб00000001', '+7 900 123 45 67')).toMatchObject({ result: 'sent' });
      expect(sms.delivered.map((s) => s.phone)).toEqual([PHONE, PHONE]);
    });

    test('a resend without a challenge asks for the phone again', async () => {
      expect(await resend(workerA, 'chat-1', 'инзб00000001')).toEqual({ result: 'no-challenge' });
    });
  });
});
