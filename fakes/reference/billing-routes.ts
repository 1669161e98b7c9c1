import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toAccountSummary, toAmountDue, type AccountDoc, type BillingStore } from './billing-store.js';
import type { Faults } from './faults.js';
import { isRecord } from '../../shared/contracts/is-record.js';
import { isId } from './validate.js';

/** The billing HTTP API (docs/external-apis.md), mounted under /billing. */

const DEFAULT_HISTORY = 12;
const MAX_HISTORY = 60;

type AccountRequest = FastifyRequest<{ Params: { number: string } }>;

export function billingRoutes(store: BillingStore, faults: Faults) {
  return async (app: FastifyInstance) => {
    app.addHook('onRequest', faults.outage('billing'));

    /** The account the path names, or a 404 already sent. */
    async function accountOf(request: AccountRequest, reply: FastifyReply): Promise<AccountDoc | null> {
      const account = isId(request.params.number, 64) ? await store.account(request.params.number) : null;
      if (!account) await reply.code(404).send({ error: 'no such account' });
      return account;
    }

    app.get('/accounts/:number', async (request: AccountRequest, reply) => {
      const account = await accountOf(request, reply);
      return account ? toAccountSummary(account) : reply;
    });

    app.get('/accounts/:number/services', async (request: AccountRequest, reply) => {
      const account = await accountOf(request, reply);
      return account ? account.services : reply;
    });

    app.get('/accounts/:number/period', async (request: AccountRequest, reply) => {
      const account = await accountOf(request, reply);
      return account ? { period: account.period } : reply;
    });

    app.get('/accounts/:number/due', async (request: AccountRequest, reply) => {
      const account = await accountOf(request, reply);
      return account ? toAmountDue(account) : reply;
    });

    app.get('/accounts/:number/meters', async (request: AccountRequest, reply) => {
      const { service } = request.query as Record<string, unknown>;
      if (!isId(service, 64)) return reply.code(400).send({ error: 'the query needs service=<service id>' });
      const account = await accountOf(request, reply);
      return account ? store.meters(account, service) : reply;
    });

    app.get(
      '/accounts/:number/meters/:meterId/history',
      async (request: FastifyRequest<{ Params: { number: string; meterId: string } }>, reply) => {
        const { limit } = request.query as Record<string, unknown>;
        if (limit !== undefined && !(typeof limit === 'string' && /^\d{1,3}$/.test(limit)))
          return reply.code(400).send({ error: 'limit must be a whole number' });
        const account = await accountOf(request, reply);
        if (!account) return reply;
        const history = isId(request.params.meterId, 64)
          ? await store.history(
              account,
              request.params.meterId,
              Math.min(Math.max(Number(limit ?? DEFAULT_HISTORY), 1), MAX_HISTORY),
            )
          : null;
        return history ?? reply.code(404).send({ error: 'no such meter on this account' });
      },
    );

    app.post('/readings', async (request, reply) => {
      const body = request.body;
      if (
        !isRecord(body) ||
        !isId(body.account, 64) ||
        !isId(body.meterId, 64) ||
        !isId(body.idempotencyKey) ||
        !isRecord(body.values)
      ) {
        return reply.code(400).send({ error: 'expected {account, meterId, values: {zone: number}, idempotencyKey}' });
      }
      return store.submit({
        account: body.account,
        meterId: body.meterId,
        values: body.values,
        idempotencyKey: body.idempotencyKey,
      });
    });
  };
}
