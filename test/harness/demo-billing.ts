import type { BillingGateway, Meter, ReadingSubmission } from '../../shared/ports/billing.js';
import type { PaymentProvider, PaymentRequest } from '../../shared/ports/payments.js';
import type { CodeCheckResult, CodeRequestResult, PhoneVerification } from '../../shared/ports/verification.js';

/**
 * Small in-memory stand-ins for the systems outside the bot, for tests of the machines alone.
 * The reference implementations in fakes/reference are what the stack and end-to-end tests use.
 */
export const DAY_NIGHT_METER: Meter = {
  id: 'm-dn',
  serviceId: 'electricity',
  serialNumber: '0112233',
  unit: 'кВт·ч',
  digits: 6,
  maxPlausibleConsumption: 1500,
  zones: [
    { id: 'day', name: 'День', previous: { value: 12000, date: '2026-10-20' } },
    { id: 'night', name: 'Ночь', previous: { value: 5000, date: '2026-10-20' } },
  ],
};

export const ROLLOVER_METER: Meter = {
  id: 'm-roll',
  serviceId: 'heating',
  serialNumber: '778899',
  unit: 'Гкал',
  digits: 5,
  maxPlausibleConsumption: 100,
  zones: [{ id: 'single', name: 'Показание', previous: { value: 99950, date: '2026-10-20' } }],
};

export function memoryBilling(
  options: { period?: { fromDay: number; toDay: number } | null; down?: () => boolean } = {},
) {
  const submissions: ReadingSubmission[] = [];
  const guard = () => {
    if (options.down?.()) throw new Error('billing down');
  };
  const gateway: BillingGateway = {
    async findAccount(number) {
      guard();
      return number === 'инзб12345678'
        ? { number, phone: '79001234567', address: 'г. Иркутск, ул. Ленина, д. 1' }
        : null;
    },
    async services() {
      guard();
      return [
        { id: 'electricity', name: 'Электроэнергия' },
        { id: 'heating', name: 'Отопление' },
      ];
    },
    async meters(_account, serviceId) {
      guard();
      return [DAY_NIGHT_METER, ROLLOVER_METER].filter((m) => m.serviceId === serviceId);
    },
    async submissionPeriod() {
      return options.period ?? null;
    },
    async history() {
      return [{ date: '2026-10-20', values: { day: 12000, night: 5000 } }];
    },
    async submitReading(submission) {
      guard();
      if (!submissions.some((s) => s.idempotencyKey === submission.idempotencyKey)) submissions.push(submission);
      return { accepted: true, date: '2026-11-25' };
    },
    async amountDue(account) {
      return {
        account,
        total: 264285,
        lines: [
          { service: 'Электроэнергия', amount: 120000 },
          { service: 'Отопление', amount: 144285 },
        ],
      };
    },
  };
  return { gateway, submissions };
}

/** Accepts the phone on file of инзб12345678 and the code 1234. */
export function scriptedVerification(
  options: { validUntil?: () => number } = {},
): PhoneVerification & { sent: number } {
  let attempts = 0;
  const self = {
    sent: 0,
    async requestCode(request: { phone?: string }): Promise<CodeRequestResult> {
      if (request.phone !== undefined && request.phone.replace(/\D/g, '') !== '79001234567')
        return { result: 'mismatch' };
      self.sent++;
      return {
        result: 'sent',
        maskedPhone: '+7 ••• •••-45-67',
        validUntil: options.validUntil?.() ?? Date.now() + 5 * 60_000,
      };
    },
    async checkCode(check: { code: string }): Promise<CodeCheckResult> {
      if (check.code === '123456') return { result: 'ok' };
      attempts++;
      return attempts >= 5 ? { result: 'locked', minutes: 30 } : { result: 'wrong', attemptsLeft: 5 - attempts };
    },
  };
  return self;
}

export function memoryPayments(): PaymentProvider & { orders: PaymentRequest[] } {
  const orders: PaymentRequest[] = [];
  return {
    orders,
    async createPayment(request) {
      if (!orders.some((o) => o.orderId === request.orderId)) orders.push(request);
      return { orderId: request.orderId, url: `https://pay.example/${request.orderId}` };
    },
  };
}
