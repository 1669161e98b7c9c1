import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isRecord } from '../../shared/contracts/is-record.js';

/**
 * Outages on demand, for tests and demos: POST /_reference/faults {"billing": "down"} makes the
 * billing API answer 503 until {"billing": "up"}; the same for "sms". {"payments": "decline"}
 * makes «Оплатить» on the payment page end as a failed payment until {"payments": "up"}.
 */

export interface FaultState {
  billing: 'up' | 'down';
  sms: 'up' | 'down';
  payments: 'up' | 'decline';
}

const ALLOWED: { [K in keyof FaultState]: readonly FaultState[K][] } = {
  billing: ['up', 'down'],
  sms: ['up', 'down'],
  payments: ['up', 'decline'],
};

export interface Faults {
  readonly state: Readonly<FaultState>;
  /** An onRequest hook for a system's routes: 503 while that system is down. */
  outage(
    system: 'billing' | 'sms',
  ): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;
}

export function registerFaults(app: FastifyInstance): Faults {
  const state: FaultState = { billing: 'up', sms: 'up', payments: 'up' };

  app.get('/_reference/faults', async () => state);
  app.post('/_reference/faults', async (request, reply) => {
    const patch = request.body;
    if (!isRecord(patch)) return reply.code(400).send({ error: 'expected a JSON object such as {"billing": "down"}' });
    for (const [system, value] of Object.entries(patch)) {
      const allowed = Object.hasOwn(ALLOWED, system)
        ? (ALLOWED as Record<string, readonly string[]>)[system]
        : undefined;
      if (!allowed || typeof value !== 'string' || !allowed.includes(value)) {
        return reply.code(400).send({
          error:
            `"${system}" must be one of: ` +
            `${allowed?.join(', ') ?? `(unknown; known: ${Object.keys(ALLOWED).join(', ')})`}`,
        });
      }
    }
    Object.assign(state, patch);
    request.log.info({ faults: state }, 'faults set');
    return state;
  });

  return {
    state,
    outage: (system) => async (_request, reply) => {
      // Returning the reply ends the request here: the route never runs.
      if (state[system] === 'down')
        return reply.code(503).send({ error: `${system} is down (a fault set through /_reference/faults)` });
      return undefined;
    },
  };
}
