import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ChatEventKind } from '../../shared/contracts/chat-event.js';
import { readTelegramUpdate } from '../../shared/telegram/read-update.js';
import { TelegramUpdates } from '../../fakes/telegram/updates.js';
import { fuzzSettings } from './fuzz-settings.js';

const SECRET = 'fuzz-telegram-secret';
/** The reader is pure and fast: thousands of updates a second. */
const { parameters, timeoutMs } = fuzzSettings(3_000, 1);

/** Values of every JSON type, and the near misses of the valid ones. */
const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom('', '0', '-1', '1.5', '/start', '/start x y', '__proto__', '\u0000', '\ud800'),
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, true, false, {}, [], { $gt: '' }, 2 ** 60, -1),
);

/** A real-shaped update, each of its leaves possibly replaced by anything. */
const updates = fc
  .tuple(
    fc.constantFrom(
      TelegramUpdates.text(42, 'Начать'),
      TelegramUpdates.start(42, 'qr'),
      TelegramUpdates.contact(42, '79001234567', 43),
      TelegramUpdates.location(42, 52.28, 104.3),
      TelegramUpdates.photo(42),
      TelegramUpdates.blocked(42),
    ),
    fc.array(fc.tuple(fc.nat(), anyValue), { maxLength: 4 }),
  )
  .map(([update, changes]) => {
    const copy = JSON.parse(JSON.stringify(update)) as Record<string, unknown>;
    for (const [pick, value] of changes) replaceLeaf(copy, pick, value);
    return copy;
  });

function replaceLeaf(root: Record<string, unknown>, pick: number, value: unknown): void {
  const paths: [Record<string, unknown>, string][] = [];
  const walk = (node: Record<string, unknown>) => {
    for (const [key, child] of Object.entries(node)) {
      paths.push([node, key]);
      if (typeof child === 'object' && child !== null && !Array.isArray(child)) walk(child as Record<string, unknown>);
    }
  };
  walk(root);
  const [parent, key] = paths[pick % paths.length]!;
  parent[key] = value;
}

describe('a Telegram update with the right secret, however it is made', () => {
  test(
    'is read without throwing, and what becomes an event is well typed',
    () => {
      fc.assert(
        fc.property(updates, (update) => {
          const reading = readTelegramUpdate(Buffer.from(JSON.stringify(update)), SECRET, SECRET);
          if (!reading.ok) {
            expect(reading.reason).toBe('malformed');
            expect(reading.detail).not.toMatch(/79001234567|Начать/);
            return;
          }
          if (reading.event === null) return;
          const { event } = reading;
          expect(event.chatId).toMatch(/^tg:-?\d+$/);
          expect(event.id).toMatch(/^tg:\d+$/);
          expect(Number.isFinite(event.at)).toBe(true);
          if (event.kind === ChatEventKind.Text) expect(typeof event.text).toBe('string');
          if (event.kind === ChatEventKind.Contact) expect(typeof event.own).toBe('boolean');
          if (event.kind === ChatEventKind.Location) expect(Number.isFinite(event.lat + event.lon)).toBe(true);
        }),
        parameters,
      );
    },
    timeoutMs,
  );

  test(
    'is refused without the right secret, whatever the body',
    () => {
      fc.assert(
        fc.property(updates, fc.option(fc.string({ maxLength: 40 }), { nil: undefined }), (update, header) => {
          fc.pre(header !== SECRET);
          const reading = readTelegramUpdate(Buffer.from(JSON.stringify(update)), header, SECRET);
          expect(reading).toMatchObject({ ok: false, reason: 'bad-secret' });
        }),
        parameters,
      );
    },
    timeoutMs,
  );
});
