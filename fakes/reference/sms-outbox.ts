import type { FastifyInstance } from 'fastify';
import type { Collection, Db } from 'mongodb';
import { claimed } from './races.js';
import type { Faults } from './faults.js';
import { isRecord } from '../../shared/contracts/is-record.js';
import { isId } from './validate.js';

/**
 * The reference SMS gateway: nothing leaves the machine; each message lands in an outbox a
 * developer reads at GET /sms/outbox (where the codes are visible, by design: it is a dev tool).
 * Logs carry only the sequence number: a phone and a code are personal data.
 */

export const SMS_OUTBOX_COLLECTION = 'sms_outbox';
/** Tries at numbering one message while others take the numbers first. */
const MAX_NUMBERING_TRIES = 50;
const MAX_TEXT_LENGTH = 1000;
const MAX_PAGE = 500;

interface OutboxDoc {
  /** The sender's idempotency key: a message is stored once per key. */
  _id: string;
  seq: number;
  phone: string;
  text: string;
  at: Date;
}

export interface OutboxEntry {
  seq: number;
  phone: string;
  text: string;
  /** ISO timestamp. */
  at: string;
}

export interface SmsOutbox {
  prepare(): Promise<void>;
  /** Stores the message unless its key was seen; either way, the stored message's seq. */
  send(message: { phone: string; text: string; idempotencyKey: string }): Promise<{ seq: number; duplicate: boolean }>;
  /** Oldest first. */
  read(query: { after: number; phone?: string; limit: number }): Promise<OutboxEntry[]>;
}

export function createSmsOutbox(db: Db): SmsOutbox {
  const outbox: Collection<OutboxDoc> = db.collection(SMS_OUTBOX_COLLECTION);

  return {
    async prepare() {
      await outbox.createIndex({ seq: 1 }, { unique: true });
    },
    async send({ phone, text, idempotencyKey }) {
      // Numbered by the unique index, not a counter: $inc is not atomic on FerretDB (races.ts).
      for (let tries = 0; tries < MAX_NUMBERING_TRIES; tries++) {
        const earlier = await outbox.findOne({ _id: idempotencyKey });
        if (earlier) return { seq: earlier.seq, duplicate: true };
        const last = await outbox
          .find({}, { projection: { seq: 1 } })
          .sort({ seq: -1 })
          .limit(1)
          .next();
        const seq = (last?.seq ?? 0) + 1;
        if (await claimed(() => outbox.insertOne({ _id: idempotencyKey, seq, phone, text, at: new Date() })))
          return { seq, duplicate: false };
        // The key was taken (found on the next try) or the number was: try the next one.
      }
      throw new Error('could not number an SMS: too many sent at once');
    },
    async read({ after, phone, limit }) {
      const found = await outbox
        .find({ seq: { $gt: after }, ...(phone === undefined ? {} : { phone }) })
        .sort({ seq: 1 })
        .limit(limit)
        .toArray();
      return found.map(({ seq, phone, text, at }) => ({ seq, phone, text, at: at.toISOString() }));
    },
  };
}

/** The SMS gateway HTTP API (docs/external-apis.md), mounted under /sms. */
export function smsRoutes(outbox: SmsOutbox, faults: Faults) {
  return async (app: FastifyInstance) => {
    app.addHook('onRequest', faults.outage('sms'));

    app.post('/send', async (request, reply) => {
      const body = request.body;
      if (
        !isRecord(body) ||
        typeof body.phone !== 'string' ||
        !/^\d{10,15}$/.test(body.phone) ||
        !isId(body.text, MAX_TEXT_LENGTH) ||
        !isId(body.idempotencyKey)
      ) {
        return reply.code(400).send({ error: 'expected {phone: digits with country code, text, idempotencyKey}' });
      }
      const { seq, duplicate } = await outbox.send({
        phone: body.phone,
        text: body.text,
        idempotencyKey: body.idempotencyKey,
      });
      request.log.info({ seq, duplicate }, duplicate ? 'sms already in the outbox' : 'sms stored');
      return reply.code(202).send({ id: `sms-${seq}` });
    });

    app.get('/outbox', async (request, reply) => {
      const { after = '0', phone, limit = String(MAX_PAGE) } = request.query as Record<string, unknown>;
      if (
        typeof after !== 'string' ||
        !/^\d{1,15}$/.test(after) ||
        typeof limit !== 'string' ||
        !/^\d{1,4}$/.test(limit) ||
        (phone !== undefined && typeof phone !== 'string')
      ) {
        return reply.code(400).send({ error: 'expected ?after=<seq>&limit=<n>&phone=<digits>, each at most once' });
      }
      return outbox.read({ after: Number(after), phone, limit: Math.min(Math.max(Number(limit), 1), MAX_PAGE) });
    });
  };
}
