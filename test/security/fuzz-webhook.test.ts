import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ChatEventKind, type ChatEvent } from '../../shared/contracts/chat-event.js';
import { signViberBody } from '../../shared/viber/signature.js';
import { VIBER_EVENT_TYPES } from '../../shared/viber/types.js';
import { Callbacks, newMessageToken, toViberJson } from '../../fakes/viber/callbacks.js';
import { AUTH_TOKEN, startIngress, type RunningIngress } from './ingress-kit.js';
import { fuzzSettings } from './fuzz-settings.js';

const BODY_LIMIT = 32 * 1024;
const ANSWERS = new Set([200, 400, 403, 413, 503]);

/** Values of every JSON type, and the near misses of the valid ones. */
const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom('', '0', '-1', '1.5', '1e400', 'u-1', '$gt', '__proto__', 'constructor', 'a.b', '\u0000', '\ud800'),
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, true, false, {}, [], { $gt: '' }, JSON.parse('{"__proto__": {"polluted": true}}') as unknown),
);

const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
const user = fc.oneof(
  anyValue,
  fc.record(
    { id: fc.oneof(anyValue, fc.constantFrom('u-1', 'u-2', 'Zm9vYmFy==')), name: maybe(anyValue) },
    { requiredKeys: [] },
  ),
);
const inbound = fc.oneof(
  anyValue,
  fc.record(
    {
      type: fc.oneof(
        fc.constantFrom('text', 'picture', 'video', 'file', 'sticker', 'contact', 'url', 'location'),
        anyValue,
      ),
      text: fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), anyValue),
      contact: fc.oneof(
        anyValue,
        fc.record(
          { name: maybe(anyValue), phone_number: maybe(fc.oneof(fc.constant('+79001234567'), anyValue)) },
          { requiredKeys: [] },
        ),
      ),
      location: fc.oneof(
        anyValue,
        fc.record(
          {
            lat: fc.oneof(fc.double({ min: -90, max: 90, noNaN: true }), anyValue),
            lon: fc.oneof(fc.double({ min: -180, max: 180, noNaN: true }), anyValue),
          },
          { requiredKeys: [] },
        ),
      ),
    },
    { requiredKeys: [] },
  ),
);

/** Callback-shaped objects: each field right, wrong, or missing. The token is a 19-digit bare integer when right. */
const callbackShaped = fc
  .record(
    {
      event: fc.oneof(fc.constantFrom(...VIBER_EVENT_TYPES, 'client_status', 'action'), anyValue),
      timestamp: fc.oneof(fc.integer({ min: 0, max: 2_000_000_000_000 }), anyValue),
      message_token: fc.oneof(fc.constant('TOKEN'), anyValue),
      sender: user,
      user,
      user_id: fc.oneof(fc.constantFrom('u-1', 'u-3'), anyValue),
      message: inbound,
      context: anyValue,
      desc: anyValue,
    },
    { requiredKeys: [] },
  )
  .map((callback) => JSON.stringify(callback).replace('"TOKEN"', newMessageToken()));

const chatIds = fc.constantFrom('u-1', 'u-2', 'Zm9vYmFy==', '01234567890A=');
const customerText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('Начать', 'В меню', '{"$gt": ""}', '🔥'.repeat(3_000)),
);

/** Callbacks as Viber sends them, of every event type the bot reads. */
const realCallbacks = fc.oneof(
  fc.tuple(chatIds, customerText).map(([chatId, text]) => Callbacks.text(chatId, text)),
  chatIds.map((chatId) => Callbacks.contact(chatId, '+79001234567')),
  chatIds.map((chatId) => Callbacks.sticker(chatId)),
  chatIds.map((chatId) => ({
    ...Callbacks.sticker(chatId),
    message: { type: 'location', location: { lat: 52.28, lon: 104.28 } },
  })),
  chatIds.map((chatId) => Callbacks.conversationStarted(chatId, 'qr')),
  chatIds.map((chatId) => Callbacks.subscribed(chatId)),
  chatIds.map((chatId) => Callbacks.unsubscribed(chatId)),
  chatIds.map((chatId) => ({ ...Callbacks.unsubscribed(chatId), event: 'failed', desc: 'no device' })),
);

const FIELDS = [
  'event',
  'timestamp',
  'message_token',
  'sender',
  'sender.id',
  'sender.name',
  'message',
  'message.type',
  'message.text',
  'message.contact',
  'message.contact.phone_number',
  'message.location.lat',
  'user',
  'user.id',
  'user_id',
  'context',
  'desc',
];

/** Sets (or, for undefined, deletes) the field at a dotted path, making the objects on the way. */
function setField(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let parent = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof parent[key] !== 'object' || parent[key] === null) parent[key] = {};
    parent = parent[key] as Record<string, unknown>;
  }
  if (value === undefined) delete parent[keys.at(-1)!];
  else parent[keys.at(-1)!] = value;
}

/** A real callback with one to three fields changed to anything, or removed. */
const mutatedCallbacks = fc
  .tuple(
    realCallbacks,
    fc.array(fc.tuple(fc.constantFrom(...FIELDS), fc.oneof(anyValue, fc.constant(undefined))), {
      minLength: 1,
      maxLength: 3,
    }),
  )
  .map(([callback, changes]) => {
    const changed = structuredClone(callback) as Record<string, unknown>;
    for (const [path, value] of changes) setField(changed, path, value);
    // The token goes on the wire as a bare integer when it is one, as Viber writes it.
    return typeof changed.message_token === 'string' && /^\d+$/.test(changed.message_token)
      ? toViberJson(changed as typeof callback)
      : JSON.stringify(changed);
  });

const bodies = fc.oneof(
  { weight: 3, arbitrary: realCallbacks.map(toViberJson) },
  { weight: 6, arbitrary: mutatedCallbacks },
  { weight: 2, arbitrary: callbackShaped },
  { weight: 2, arbitrary: fc.json({ maxDepth: 4 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 1, max: 4 })
      .map((depth) => `${'['.repeat(depth * 2_000)}${']'.repeat(depth * 2_000)}`),
  },
  { weight: 1, arbitrary: fc.constant(`{"event":"message","pad":"${'x'.repeat(BODY_LIMIT)}"}`) },
);

type Signing = 'valid' | 'none' | 'wrong' | 'twice' | 'uppercase';
const signings = fc.constantFrom<Signing>('valid', 'valid', 'valid', 'none', 'wrong', 'twice', 'uppercase');
const contentTypes = fc.oneof(
  { weight: 8, arbitrary: fc.constant<string | undefined>('application/json') },
  {
    weight: 1,
    arbitrary: fc.constantFrom<string | undefined>(
      undefined,
      'text/plain',
      'application/json; charset=utf-8',
      ';;;',
      'multipart/form-data',
    ),
  },
);

function signatureFor(body: string | Buffer, signing: Signing): string | string[] | null {
  const valid = signViberBody(body, AUTH_TOKEN);
  if (signing === 'none') return null;
  if (signing === 'wrong') return signViberBody(body, 'not-the-token');
  if (signing === 'twice') return [valid, valid];
  return signing === 'uppercase' ? valid.toUpperCase() : valid;
}

/** An event on the bus is one a worker can take as it is. */
function expectWellFormed(event: ChatEvent): void {
  expect(event.id).toMatch(/^\d+$/);
  expect(typeof event.chatId === 'string' && event.chatId.length > 0 && !/[\u0000-\u001f]/.test(event.chatId)).toBe(
    true,
  );
  expect(Number.isSafeInteger(event.at) && event.at >= 0).toBe(true);
  expect(Object.values(ChatEventKind)).toContain(event.kind);
  if (event.kind === 'text') expect(typeof event.text).toBe('string');
  if (event.kind === 'media') expect(typeof event.mediaType).toBe('string');
  if (event.kind === 'contact' && event.phone !== undefined) expect(typeof event.phone).toBe('string');
  if (event.kind === 'location') expect([event.lat, event.lon].every(Number.isFinite)).toBe(true);
}

describe('fuzzing the webhook (real JetStream)', () => {
  let ingress: RunningIngress;
  beforeAll(async () => {
    ingress = await startIngress({ bodyLimit: BODY_LIMIT });
  });
  afterAll(async () => {
    await ingress.stop();
  });

  const { parameters, timeoutMs } = fuzzSettings(1_000, 10);

  test(
    'any body, signed or not: a documented answer, never a 500; ' +
      'only validly signed callbacks reach the bus, well formed',
    async () => {
      await fc.assert(
        fc.asyncProperty(bodies, signings, contentTypes, fc.boolean(), async (body, signing, contentType, busUp) => {
          const before = ingress.published.length;
          ingress.outage.busUp = busUp;
          const answer = await ingress.post(
            body,
            signatureFor(body, signing),
            contentType === undefined ? {} : { 'content-type': contentType },
          );
          expect(ANSWERS, `${answer.statusCode} ${answer.body}`).toContain(answer.statusCode);
          const fresh = ingress.published.slice(before);
          if (signing !== 'valid' && signing !== 'uppercase') {
            expect([403, 413, 400]).toContain(answer.statusCode);
            expect(fresh).toEqual([]);
          }
          if (answer.statusCode !== 200) expect(fresh).toEqual([]);
          fresh.forEach(expectWellFormed);
        }),
        parameters,
      );
      ingress.outage.busUp = true;
    },
    timeoutMs,
  );
});
