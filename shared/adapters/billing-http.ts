import {
  BillingUnavailableError,
  type AccountSummary,
  type AmountDue,
  type BillingGateway,
  type BillingService,
  type Meter,
  type ReadingRecord,
  type SubmissionPeriod,
  type SubmissionResult,
} from '../ports/billing.js';
import { isRecord } from '../contracts/is-record.js';
import { createJsonCaller, isSuccess, type HttpAdapterOptions, type JsonAnswer } from './http-json.js';

/**
 * The billing port over HTTP (the API is described in docs/external-apis.md). Any failure the
 * customer can only wait out, including an answer this adapter does not understand, is a
 * BillingUnavailableError; the one expected "no" is findAccount's 404, which is null.
 */
export function createHttpBillingGateway(options: HttpAdapterOptions): BillingGateway {
  const http = createJsonCaller('billing', options, BillingUnavailableError);
  const account = (number: string) => `/accounts/${encodeURIComponent(number)}`;

  /** The body of a 2xx answer that passes `check`; anything else is the billing's failure. */
  const expectBody = <T>(operation: string, answer: JsonAnswer, check: (body: unknown) => boolean): T => {
    if (!isSuccess(answer) || !check(answer.body)) throw http.unexpected(operation, answer);
    return answer.body as T;
  };
  const get = async <T>(operation: string, path: string, check: (body: unknown) => boolean): Promise<T> =>
    expectBody<T>(operation, await http.call(operation, 'GET', path), check);

  return {
    async findAccount(number) {
      const answer = await http.call('findAccount', 'GET', account(number));
      if (answer.status === 404) return null;
      return expectBody<AccountSummary>('findAccount', answer, isAccountSummary);
    },
    services: (number) => get<BillingService[]>('services', `${account(number)}/services`, Array.isArray),
    meters: (number, serviceId) =>
      get<Meter[]>('meters', `${account(number)}/meters?service=${encodeURIComponent(serviceId)}`, Array.isArray),
    async submissionPeriod(number) {
      const body = await get<{ period: SubmissionPeriod }>(
        'submissionPeriod',
        `${account(number)}/period`,
        (body) => isRecord(body) && isPeriod(body.period),
      );
      return body.period;
    },
    history: (number, meterId, limit) =>
      get<ReadingRecord[]>(
        'history',
        `${account(number)}/meters/${encodeURIComponent(meterId)}/history?limit=${encodeURIComponent(String(limit))}`,
        Array.isArray,
      ),
    async submitReading(submission) {
      const { account: number, meterId, values, idempotencyKey } = submission;
      const answer = await http.call('submitReading', 'POST', '/readings', {
        account: number,
        meterId,
        values,
        idempotencyKey,
      });
      return expectBody<SubmissionResult>(
        'submitReading',
        answer,
        (body) => isRecord(body) && typeof body.accepted === 'boolean',
      );
    },
    amountDue: (number) =>
      get<AmountDue>(
        'amountDue',
        `${account(number)}/due`,
        (body) => isRecord(body) && Number.isSafeInteger(body.total) && Array.isArray(body.lines),
      ),
  };
}

const isAccountSummary = (body: unknown) =>
  isRecord(body) &&
  typeof body.number === 'string' &&
  typeof body.phone === 'string' &&
  typeof body.address === 'string';
const isPeriod = (period: unknown) =>
  period === null || (isRecord(period) && Number.isInteger(period.fromDay) && Number.isInteger(period.toDay));
