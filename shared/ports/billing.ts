/**
 * The billing system as the bot sees it. The real one belongs to the retailer; the local reference
 * implementation (fakes/reference) keeps demo accounts in MongoDB. Amounts are in kopecks,
 * readings in the meter's units, dates as ISO strings (YYYY-MM-DD).
 */

export interface AccountSummary {
  /** Normalised account number: lower-case Cyrillic prefix and digits, e.g. "инзб12345678". */
  number: string;
  /** The phone on file in the personal cabinet, digits only with country code, e.g. "79001234567". */
  phone: string;
  /** Shown to the customer to recognise the account, e.g. "г. Иркутск, ул. Ленина, д. 1, кв. 5". */
  address: string;
}

export interface BillingService {
  id: string;
  /** e.g. "Электроэнергия", "Отопление", "Горячее водоснабжение" */
  name: string;
}

export interface MeterZone {
  /** "single", or "day" / "night" for a two-tariff meter. */
  id: string;
  /** e.g. "Показание", "День", "Ночь" */
  name: string;
  /** The last accepted reading before the current period. */
  previous: { value: number; date: string };
  /** A reading already sent in the current period, which a new one would replace. */
  current?: { value: number; date: string };
}

export interface Meter {
  id: string;
  serviceId: string;
  serialNumber: string;
  /** e.g. "кВт·ч", "Гкал", "м³" */
  unit: string;
  /** Number of integer digits on the dial: the reading rolls over from 10^digits - 1 to 0. */
  digits: number;
  /** Consumption per period above which the bot asks the customer to confirm the reading. */
  maxPlausibleConsumption: number;
  zones: MeterZone[];
}

/** Days of the month (inclusive) when readings are accepted; null when they are accepted any day. */
export type SubmissionPeriod = { fromDay: number; toDay: number } | null;

export interface ReadingRecord {
  date: string;
  /** Value per zone id. */
  values: Record<string, number>;
}

export interface ReadingSubmission {
  account: string;
  meterId: string;
  /** Value per zone id. */
  values: Record<string, number>;
  /** The same key twice records the reading once: a turn may run again after a crash. */
  idempotencyKey: string;
}

export type SubmissionResult =
  | { accepted: true; date: string }
  | { accepted: false; reason: 'period-closed' | 'invalid' | 'unknown-meter'; message: string };

export interface AmountDue {
  account: string;
  /** Total due, kopecks. */
  total: number;
  lines: { service: string; amount: number }[];
}

export interface BillingGateway {
  /** null when no account has that number. */
  findAccount(number: string): Promise<AccountSummary | null>;
  services(account: string): Promise<BillingService[]>;
  meters(account: string, serviceId: string): Promise<Meter[]>;
  submissionPeriod(account: string): Promise<SubmissionPeriod>;
  /** The latest readings of a meter, newest first. */
  history(account: string, meterId: string, limit: number): Promise<ReadingRecord[]>;
  submitReading(submission: ReadingSubmission): Promise<SubmissionResult>;
  amountDue(account: string): Promise<AmountDue>;
}

/** A billing call that failed for a reason the customer can only wait out. */
export class BillingUnavailableError extends Error {
  override name = 'BillingUnavailableError';
}
