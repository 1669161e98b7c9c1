import type { Collection, Db } from 'mongodb';
import type {
  AccountSummary,
  AmountDue,
  BillingService,
  Meter,
  MeterZone,
  ReadingRecord,
  SubmissionPeriod,
  SubmissionResult,
} from '../../shared/ports/billing.js';
import { isoDate, monthOf } from './calendar.js';
import { claimed, upsertRetrying } from './races.js';
import { periodRefusal, valuesRefusal } from './reading-rules.js';

/**
 * The reference billing, kept in MongoDB. One reading per meter and month (its _id says so), so
 * a reading sent again in the same month replaces the earlier one: the customer's correction.
 * Callers pass only type-checked strings; they are used as equality values and nothing else.
 */

export const BillingCollections = {
  accounts: 'billing_accounts',
  meters: 'billing_meters',
  readings: 'billing_readings',
  submissions: 'billing_submissions',
} as const;

export interface AccountDoc {
  /** The account number. */
  _id: string;
  phone: string;
  address: string;
  period: SubmissionPeriod;
  services: BillingService[];
  due: { serviceId: string; amount: number }[];
}

export interface MeterDoc {
  _id: string;
  account: string;
  serviceId: string;
  serialNumber: string;
  unit: string;
  digits: number;
  maxPlausibleConsumption: number;
  zones: { id: string; name: string }[];
  /** A meter with no reading yet counts from zero on this day. */
  installedOn: string;
}

interface ReadingDoc {
  /** `${meterId}|${month}`: one reading per meter and month. */
  _id: string;
  account: string;
  meterId: string;
  month: string;
  date: string;
  values: Record<string, number>;
  source: 'seed' | 'customer';
  idempotencyKey?: string;
}

/**
 * The answer given to an idempotency key, so the same key again gets the same answer. It is recorded
 * before the reading it accepts is written: a key seen again (after a crash, or another month) writes
 * that reading, never one of its own.
 */
interface SubmissionDoc {
  _id: string;
  result: SubmissionResult;
  /** What an accepted submission stores. */
  reading?: Omit<ReadingDoc, '_id'>;
  /** The reading is written: the key seen again writes nothing, and cannot undo a later correction. */
  applied?: boolean;
  at: Date;
}

export interface CheckedSubmission {
  account: string;
  meterId: string;
  /** A plain object; its entries are checked here. */
  values: Record<string, unknown>;
  idempotencyKey: string;
}

export interface BillingStore {
  /** Creates the indexes; safe to call on every start. */
  prepare(): Promise<void>;
  account(number: string): Promise<AccountDoc | null>;
  meters(account: AccountDoc, serviceId: string): Promise<Meter[]>;
  /** null when the account has no such meter. */
  history(account: AccountDoc, meterId: string, limit: number): Promise<ReadingRecord[] | null>;
  submit(submission: CheckedSubmission): Promise<SubmissionResult>;
  /** For the seed: the account and meter documents as given, replacing earlier versions. */
  putAccount(account: AccountDoc): Promise<void>;
  putMeter(meter: MeterDoc): Promise<void>;
  /** For the seed: a reading for that meter and month unless one is there already. */
  addReadingIfMissing(reading: {
    account: string;
    meterId: string;
    date: Date;
    values: Record<string, number>;
  }): Promise<void>;
}

export const toAccountSummary = (account: AccountDoc): AccountSummary => ({
  number: account._id,
  phone: account.phone,
  address: account.address,
});

export function toAmountDue(account: AccountDoc): AmountDue {
  const nameOf = (serviceId: string) => account.services.find((service) => service.id === serviceId)?.name ?? serviceId;
  const lines = account.due.map((line) => ({ service: nameOf(line.serviceId), amount: line.amount }));
  return { account: account._id, total: lines.reduce((sum, line) => sum + line.amount, 0), lines };
}

const readingId = (meterId: string, month: string) => `${meterId}|${month}`;
/** How far back a meter's readings are looked for: older ones are not shown, nor taken as the previous reading. */
export const READINGS_MONTHS_BACK = 60;
/** Months read at once when walking back. */
const MONTHS_PER_READ = 6;

/** `date`'s month and the months before it, newest first, back to the meter's installation or READINGS_MONTHS_BACK. */
function monthsBack(date: Date, installedOn: string): string[] {
  const months: string[] = [];
  for (let back = 0; back < READINGS_MONTHS_BACK; back++) {
    const month = monthOf(new Date(date.getFullYear(), date.getMonth() - back, 1));
    if (month < installedOn.slice(0, 7)) break;
    months.push(month);
  }
  return months;
}
const unknownMeter: SubmissionResult = {
  accepted: false,
  reason: 'unknown-meter',
  message: 'Такого счётчика нет на этом лицевом счёте.',
};

export function createBillingStore(db: Db, now: () => Date = () => new Date()): BillingStore {
  const accounts: Collection<AccountDoc> = db.collection(BillingCollections.accounts);
  const meters: Collection<MeterDoc> = db.collection(BillingCollections.meters);
  const readings: Collection<ReadingDoc> = db.collection(BillingCollections.readings);
  const submissions: Collection<SubmissionDoc> = db.collection(BillingCollections.submissions);

  /**
   * The meter's latest `limit` readings up to `date`'s month, newest first, read by `_id` month by
   * month (one reading per meter and month is its _id): a filter on `meterId` would read every
   * meter's readings on FerretDB, a collection that grows every month.
   */
  async function latestReadings(meter: MeterDoc, date: Date, limit: number): Promise<ReadingDoc[]> {
    const months = monthsBack(date, meter.installedOn);
    const found: ReadingDoc[] = [];
    for (let from = 0; from < months.length && found.length < limit; from += MONTHS_PER_READ) {
      const read = await Promise.all(
        months
          .slice(from, from + MONTHS_PER_READ)
          .map((month) => readings.findOne({ _id: readingId(meter._id, month) })),
      );
      for (const reading of read) if (reading && found.length < limit) found.push(reading);
    }
    return found;
  }

  /** previous: the latest reading of an earlier month; current: this month's, if sent. */
  async function zonesOf(meter: MeterDoc): Promise<MeterZone[]> {
    const today = now();
    const thisMonth = monthOf(today);
    const latest = await latestReadings(meter, today, 2);
    const current = latest.find((reading) => reading.month === thisMonth);
    const previous = latest.find((reading) => reading.month < thisMonth);
    return meter.zones.map((zone) => ({
      id: zone.id,
      name: zone.name,
      previous: previous
        ? { value: previous.values[zone.id] ?? 0, date: previous.date }
        : { value: 0, date: meter.installedOn },
      ...(current ? { current: { value: current.values[zone.id] ?? 0, date: current.date } } : {}),
    }));
  }

  const toMeter = async (meter: MeterDoc): Promise<Meter> => ({
    id: meter._id,
    serviceId: meter.serviceId,
    serialNumber: meter.serialNumber,
    unit: meter.unit,
    digits: meter.digits,
    maxPlausibleConsumption: meter.maxPlausibleConsumption,
    zones: await zonesOf(meter),
  });

  /** The answer to a submission and the reading it would store; writes nothing. */
  async function decide(submission: CheckedSubmission): Promise<Pick<SubmissionDoc, 'result' | 'reading'>> {
    const today = now();
    const [account, meter] = await Promise.all([
      accounts.findOne({ _id: submission.account }),
      meters.findOne({ _id: submission.meterId, account: submission.account }),
    ]);
    if (!account || !meter) return { result: unknownMeter };
    const refusal = periodRefusal(account.period, today.getDate()) ?? valuesRefusal(meter, submission.values);
    if (refusal) return { result: refusal };

    // Rebuilt from the meter's own zone ids: nothing the caller named reaches the document's keys.
    const values = Object.fromEntries(meter.zones.map((zone) => [zone.id, submission.values[zone.id] as number]));
    const date = isoDate(today);
    const reading = {
      account: account._id,
      meterId: meter._id,
      month: monthOf(today),
      date,
      values,
      source: 'customer' as const,
      idempotencyKey: submission.idempotencyKey,
    };
    return { result: { accepted: true, date }, reading };
  }

  /** Records the answer to a key seen for the first time; of two at once, the one recorded first. */
  async function record(submission: CheckedSubmission): Promise<SubmissionDoc> {
    const answer: SubmissionDoc = { _id: submission.idempotencyKey, ...(await decide(submission)), at: new Date() };
    if (await claimed(() => submissions.insertOne(answer))) return answer;
    const winner = await submissions.findOne({ _id: submission.idempotencyKey });
    if (!winner) throw new Error('an idempotency key was taken but its answer is missing');
    return winner;
  }

  /** Writes the recorded reading unless it was: written twice at once, it is the same document twice. */
  async function apply(answer: SubmissionDoc): Promise<void> {
    if (!answer.reading || answer.applied) return;
    const { reading } = answer;
    const id = readingId(reading.meterId, reading.month);
    // Two readings of one month at once: either may win, as it would one after the other.
    await upsertRetrying(() => readings.replaceOne({ _id: id }, reading, { upsert: true }));
    await submissions.updateOne({ _id: answer._id }, { $set: { applied: true } });
  }

  return {
    async prepare() {
      // An account's meters: a filter MongoDB serves from this index (FerretDB reads the collection,
      // which holds a few meters per account and does not grow with time). Readings are read by _id.
      await meters.createIndex({ account: 1, serviceId: 1 });
    },

    account: (number) => accounts.findOne({ _id: number }),

    async meters(account, serviceId) {
      const found = await meters.find({ account: account._id, serviceId }).sort({ _id: 1 }).toArray();
      return Promise.all(found.map(toMeter));
    },

    async history(account, meterId, limit) {
      const meter = await meters.findOne({ _id: meterId, account: account._id });
      if (!meter) return null;
      const found = await latestReadings(meter, now(), limit);
      return found.map((reading) => ({ date: reading.date, values: reading.values }));
    },

    async submit(submission) {
      const answer = (await submissions.findOne({ _id: submission.idempotencyKey })) ?? (await record(submission));
      await apply(answer);
      return answer.result;
    },

    async putAccount(account) {
      await upsertRetrying(() => accounts.replaceOne({ _id: account._id }, account, { upsert: true }));
    },
    async putMeter(meter) {
      await upsertRetrying(() => meters.replaceOne({ _id: meter._id }, meter, { upsert: true }));
    },
    async addReadingIfMissing({ account, meterId, date, values }) {
      const month = monthOf(date);
      await claimed(() =>
        readings.insertOne({
          _id: readingId(meterId, month),
          account,
          meterId,
          month,
          date: isoDate(date),
          values,
          source: 'seed',
        }),
      );
    },
  };
}
