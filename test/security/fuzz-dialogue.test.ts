import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Keyboard, Reply } from '../../shared/contracts/reply.js';
import {
  expectBackToMenu,
  expectPoliteAnswer,
  expectValidForViber,
  newChat,
  SCREENS,
  text,
  walk,
  type CustomerInput,
} from './dialogue-kit.js';
import { fuzzSettings } from './fuzz-settings.js';

/** One thing a customer does next. A button is picked by number among those on the screen. */
type Step = { kind: 'button'; pick: number } | { kind: 'input'; input: CustomerInput } | { kind: 'payment-notice' };

/** Words the dialogue knows, so random walks get past identification and into the deep screens. */
const KNOWN_WORDS = [
  'инзб12345678',
  'ИНЗБ 1234-5678',
  '123456',
  '999999',
  '12',
  '12100',
  '5100',
  '14000',
  '00030',
  '99999',
  '12 150,5',
  'Назад',
  'В меню',
  'Начать',
  'Меню',
  'Отправить повторно',
];

const customerText = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...KNOWN_WORDS) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '\u200b',
      'Ж'.repeat(7000),
      '🔥'.repeat(3500),
      '{"$gt": ""}',
      '$where',
      'a.b',
      '__proto__',
    ),
  },
);

const steps: fc.Arbitrary<Step[]> = fc.array(
  fc.oneof(
    { weight: 8, arbitrary: fc.nat().map((pick): Step => ({ kind: 'button', pick })) },
    { weight: 4, arbitrary: customerText.map((value): Step => ({ kind: 'input', input: text(value) })) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(undefined, '+79001234567', '+79990000000').map((phone): Step => ({
        kind: 'input',
        input: phone ? { type: 'chat.contact', phone } : { type: 'chat.contact' },
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('sticker', 'picture', 'video', 'file', 'url')
        .map((mediaType): Step => ({ kind: 'input', input: { type: 'chat.media', mediaType } })),
    },
    {
      weight: 1,
      arbitrary: fc.constant<Step>({ kind: 'input', input: { type: 'chat.location', lat: 52.28, lon: 104.28 } }),
    },
    { weight: 1, arbitrary: fc.constant<Step>({ kind: 'payment-notice' }) },
  ),
  { minLength: 1, maxLength: 40 },
);

/** What pressing a button sends: its text for a reply button, the customer's number for share-phone. */
function press(keyboard: Keyboard | undefined, pick: number): CustomerInput {
  const buttons = (keyboard?.buttons ?? []).filter(
    (button) => button.action.kind === 'reply' || button.action.kind === 'share-phone',
  );
  const button = buttons[pick % Math.max(1, buttons.length)];
  if (!button) return text('В меню');
  return button.action.kind === 'share-phone'
    ? { type: 'chat.contact', phone: '+79001234567' }
    : text(button.action.kind === 'reply' ? button.action.value : button.text);
}

/** The keyboard the customer sees after these replies, if they brought one. */
const lastKeyboard = (replies: Reply[]): Keyboard | undefined =>
  [...replies].reverse().find((reply) => reply.keyboard)?.keyboard;

describe('fuzzing the chat machine with button presses and arbitrary text', () => {
  const { parameters, timeoutMs } = fuzzSettings(150, 40);

  test(
    'every turn settles, every reply is valid for Viber, every customer input is answered with buttons, ' +
      '«В меню» always leads to the menu',
    async () => {
      await fc.assert(
        // Each run starts on a screen of the dialogue (deep ones too), then wanders.
        fc.asyncProperty(fc.constantFrom(...Object.keys(SCREENS)), steps, async (screen, path) => {
          // The turns resolve in microtasks only: let vitest's own messages through between runs.
          await new Promise((resolve) => setImmediate(resolve));
          const chat = newChat();
          let keyboard = lastKeyboard(await walk(chat, SCREENS[screen]!));
          for (const step of path) {
            let replies: Reply[];
            if (step.kind === 'payment-notice') {
              // The provider's notice comes whenever it comes; it is said without leaving the screen.
              replies = await chat.send({
                type: 'chat.payment',
                orderId: 'o-1',
                status: 'succeeded',
                account: 'инзб12345678',
                amount: 264285,
              });
              expectValidForViber(replies);
            } else {
              const input = step.kind === 'button' ? press(keyboard, step.pick) : step.input;
              replies = await chat.send(input);
              expectPoliteAnswer(replies);
              if (input.type === 'chat.text' && input.text === 'В меню') expect(chat.state()?.value).toBe('menu');
            }
            expect(chat.state()?.value).toBeDefined();
            keyboard = lastKeyboard(replies) ?? keyboard;
          }
          await expectBackToMenu(chat);
        }),
        parameters,
      );
    },
    timeoutMs,
  );
});
