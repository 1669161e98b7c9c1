import type { Db } from 'mongodb';
import { createHttpBillingGateway } from '../../../shared/adapters/billing-http.js';
import { createHttpPaymentProvider } from '../../../shared/adapters/payments-http.js';
import { createHttpSmsGateway } from '../../../shared/adapters/sms-http.js';
import type { WorkerSettings } from '../config.js';
import { PaymentOrders, recordingOrders } from '../payments/payment-orders.js';
import { StoredPhoneVerification } from '../verification/phone-verification.js';
import type { EffectPorts } from './effects.js';
import type { Meter } from './metered-ports.js';

type ExternalSettings = Pick<
  WorkerSettings,
  'billingUrl' | 'smsUrl' | 'paymentUrl' | 'externalTimeoutMs' | 'smsCodeSecret' | 'codeTtlMs'
>;

/**
 * The ports of the effects to the systems outside the worker, built once per process: billing, the
 * SMS codes' verification (on the store, sending through the SMS gateway) and payments, whose
 * orders are recorded before a link exists. Each call to an outside system goes through `meter`.
 */
export function externalPorts(
  settings: ExternalSettings,
  db: Db,
  meter: Meter,
): { ports: EffectPorts; orders: PaymentOrders } {
  const http = (baseUrl: string) => ({ baseUrl, timeoutMs: settings.externalTimeoutMs });
  const billing = meter('billing', createHttpBillingGateway(http(settings.billingUrl)));
  const sms = meter('sms', createHttpSmsGateway(http(settings.smsUrl)));
  const orders = new PaymentOrders(db);
  const payments = meter('payments', recordingOrders(createHttpPaymentProvider(http(settings.paymentUrl)), orders));
  const verification = new StoredPhoneVerification(db, {
    billing,
    sms,
    secret: settings.smsCodeSecret,
    codeTtlMs: settings.codeTtlMs,
  });
  return { ports: { billing, verification, payments }, orders };
}
