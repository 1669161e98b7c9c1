import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The test hooks a fake messenger API offers, whatever its wire format: a log of what the bot sent
 * (/_fake/messages), scripted faults for the next calls (/_fake/faults) and outages
 * (/_fake/outage). None of it is part of a messenger's API.
 */

/**
 * Faults every HTTP API can have. `delayMs` answers 504 after the delay without delivering: a
 * gateway that timed out before the messenger got it. `slowMs` delivers and answers as usual, only
 * that late: a messenger slower than the bot's timeout. `httpStatus` is a proxy's error page.
 */
export type TransportFault = { httpStatus: number } | { delayMs: number } | { slowMs: number };

/** Until it is ended, every call (or a `share` of them, at random) gets `fault`. Scripted faults come first. */
export interface Outage<F> {
  fault: F;
  share?: number;
}

export interface ScriptedFaults<F> {
  /** The next call's fault, if any: a queued one first, then the outage's. Counts the call. */
  next(): F | undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * POST /_fake/faults queues faults (a JSON array) for the next calls; POST /_fake/outage
 * {"fault", "share"?} fails every call (or a share) until DELETE /_fake/outage; GET /_fake/outage
 * counts the calls and the failed ones. `bodyOf` reads a request's JSON as the fake parses it.
 */
export function registerScriptedFaults<F extends object>(
  app: FastifyInstance,
  bodyOf: (request: FastifyRequest) => unknown = (request) => request.body,
): ScriptedFaults<F> {
  const faults: F[] = [];
  let outage: Outage<F> | undefined;
  const calls = { total: 0, faulted: 0 };

  app.post('/_fake/faults', async (request) => {
    const json = bodyOf(request);
    faults.push(...(Array.isArray(json) ? (json as F[]) : []));
    return { queued: faults.length };
  });
  app.post('/_fake/outage', async (request, reply) => {
    const json = bodyOf(request) as Outage<F> | undefined;
    if (!json || typeof json.fault !== 'object')
      return reply.code(400).send({ error: 'expected {"fault": {...}, "share"?: 0..1}' });
    outage = json;
    return { outage };
  });
  app.delete('/_fake/outage', async () => {
    outage = undefined;
    return { outage: null };
  });
  app.get('/_fake/outage', async () => ({ outage: outage ?? null, calls }));

  return {
    next() {
      const fault = faults.shift() ?? (outage && Math.random() < (outage.share ?? 1) ? outage.fault : undefined);
      calls.total++;
      if (fault && !('slowMs' in fault)) calls.faulted++;
      return fault;
    },
  };
}

/**
 * Plays a transport fault: waits out `slowMs` and lets the call go on (false), or answers as a
 * gateway would (true). Any other fault is the caller's to answer in its messenger's words.
 */
export async function playTransportFault(fault: object | undefined, reply: FastifyReply): Promise<boolean> {
  if (fault === undefined) return false;
  if ('slowMs' in fault) await sleep(Number(fault.slowMs));
  if ('delayMs' in fault) {
    await sleep(Number(fault.delayMs));
    await reply.code(504).type('text/html').send('<html>gateway timeout</html>');
    return true;
  }
  if ('httpStatus' in fault) {
    await reply.code(Number(fault.httpStatus)).type('text/html').send('<html>upstream error</html>');
    return true;
  }
  return false;
}

export interface MessageLog<T extends { seq: number; at: number }> {
  /** Records what the bot sent, numbered in order. */
  add(entry: Omit<T, 'seq' | 'at'>): T;
}

/** GET /_fake/messages?<query>=&after= lists what was sent (to one chat, after a seq); DELETE clears it. */
export function registerMessageLog<T extends { seq: number; at: number }>(
  app: FastifyInstance,
  options: { query: string; chatOf: (entry: T) => string },
): MessageLog<T> {
  const sent: T[] = [];
  let seq = 0;
  app.get('/_fake/messages', async (request) => {
    const query = request.query as Record<string, string | undefined>;
    const chat = query[options.query];
    const since = Number(query.after ?? 0);
    return sent.filter((entry) => entry.seq > since && (chat === undefined || options.chatOf(entry) === chat));
  });
  app.delete('/_fake/messages', async () => {
    sent.length = 0;
    return { cleared: true };
  });
  return {
    add(entry) {
      const recorded = { ...entry, seq: ++seq, at: Date.now() } as T;
      sent.push(recorded);
      return recorded;
    },
  };
}
