import { describe, expect, test } from 'vitest';
import { PaymentNoticeError, readPaymentNotice, signPaymentNotice } from '../../shared/contracts/payment-notice.js';
import type { PaymentNotice } from '../../shared/ports/payments.js';

const SECRET = 'notice-secret';
const notice: PaymentNotice = {
  orderId: 'o-1',
  status: 'succeeded',
  account: 'инзб12345678',
  amount: 264285,
  chatId: 'chat-1',
  channel: 'viber',
  noticeId: 'o-1:succeeded',
};

const signed = (body: unknown) => {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { raw: Buffer.from(text), signature: signPaymentNotice(text, SECRET) };
};
const reasonOf = (read: () => unknown) => {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(PaymentNoticeError);
    return (error as PaymentNoticeError).reason;
  }
  return 'accepted';
};

describe('payment notices', () => {
  test('a correctly signed notice is read back, without fields the bot does not know', () => {
    const { raw, signature } = signed({ ...notice, extra: 'ignored' });
    expect(readPaymentNotice(raw, signature, SECRET)).toEqual(notice);
    expect(readPaymentNotice(raw, signature.toUpperCase(), SECRET)).toEqual(notice);
  });

  test('a missing, malformed or wrong signature is refused before the body is read', () => {
    const { raw, signature } = signed(notice);
    const tampered = Buffer.from(JSON.stringify({ ...notice, amount: 1 }));
    expect(reasonOf(() => readPaymentNotice(raw, undefined, SECRET))).toBe('bad-signature');
    expect(reasonOf(() => readPaymentNotice(raw, '', SECRET))).toBe('bad-signature');
    expect(reasonOf(() => readPaymentNotice(raw, signature.slice(2), SECRET))).toBe('bad-signature');
    expect(reasonOf(() => readPaymentNotice(raw, `${signature.slice(0, 63)}z`, SECRET))).toBe('bad-signature');
    expect(reasonOf(() => readPaymentNotice(raw, signPaymentNotice(raw, 'another-secret'), SECRET))).toBe(
      'bad-signature',
    );
    expect(reasonOf(() => readPaymentNotice(tampered, signature, SECRET))).toBe('bad-signature');
    expect(reasonOf(() => readPaymentNotice(Buffer.from('not json'), signature, SECRET))).toBe('bad-signature');
  });

  test('a signed body that is not a valid notice is malformed', () => {
    const variants: unknown[] = [
      'not json',
      '[]',
      'null',
      { ...notice, orderId: '' },
      { ...notice, orderId: 'x'.repeat(201) },
      { ...notice, account: 42 },
      { ...notice, chatId: undefined },
      { ...notice, noticeId: { $gt: '' } },
      { ...notice, status: 'paid' },
      { ...notice, amount: -1 },
      { ...notice, amount: 1.5 },
      { ...notice, amount: '100' },
      { ...notice, amount: 2 ** 60 },
      { ...notice, channel: 'whatsapp' },
      { ...notice, channel: 'telegram' },
    ];
    for (const body of variants) {
      const { raw, signature } = signed(body);
      expect(
        reasonOf(() => readPaymentNotice(raw, signature, SECRET)),
        JSON.stringify(body),
      ).toBe('malformed');
    }
  });

  test('an empty secret is a configuration bug, not a signature', () => {
    expect(() => signPaymentNotice('{}', '')).toThrow(/secret is empty/);
  });
});
