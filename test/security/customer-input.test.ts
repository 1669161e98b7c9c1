import { describe, expect, test } from 'vitest';
import { Texts } from '../../machines/texts.js';
import {
  expectBackToMenu,
  expectPoliteAnswer,
  newChat,
  SCREENS,
  text,
  walk,
  type CustomerInput,
} from './dialogue-kit.js';

/** What customers send where the bot expects something else. */
const ODD_INPUTS: Readonly<Record<string, CustomerInput>> = {
  'empty text': text(''),
  'only spaces and a zero-width space': text('  \u200b \u00a0 '),
  emoji: text('👍🏽🔥👨‍👩‍👧‍👦'),
  'mixed scripts, combining marks, right-to-left': text('Ǆ́ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u202eпривет\u202c مرحبا 你好'),
  'control characters': text('a\u0000b\u0007c\r\nd'),
  '7000 characters': text('Ж'.repeat(7000)),
  '7000 characters of emoji': text('🔥'.repeat(3500)),
  'a sticker': { type: 'chat.media', mediaType: 'sticker' },
  'a picture': { type: 'chat.media', mediaType: 'picture' },
  'a file': { type: 'chat.media', mediaType: 'file' },
  'a location': { type: 'chat.location', lat: 52.28, lon: 104.28 },
  'a contact': { type: 'chat.contact', phone: '+79005554433' },
  'a contact without a number': { type: 'chat.contact' },
};

describe('customer input the bot did not ask for: a polite answer and a consistent machine, on every screen', () => {
  for (const [screen, path] of Object.entries(SCREENS)) {
    test(screen, async () => {
      for (const [label, input] of Object.entries(ODD_INPUTS)) {
        const chat = newChat();
        await walk(chat, path);
        const replies = await chat.send(input);
        try {
          expectPoliteAnswer(replies);
          expect(chat.state()?.value).toBeDefined();
          await expectBackToMenu(chat);
        } catch (error) {
          throw new Error(`${label} on «${screen}»: ${error instanceof Error ? error.message : String(error)}`, {
            cause: error,
          });
        }
      }
    });
  }

  test('a text that is not an account number is quoted back short, whatever its length', async () => {
    const chat = newChat();
    await walk(chat, SCREENS['account number']!);
    const [reply] = await chat.say('Ж'.repeat(7000));
    expect(reply).toMatchObject({ kind: 'text', text: Texts.identify.badAccount('Ж'.repeat(40)) });
  });

  test('the quote never cuts an emoji in half', async () => {
    const chat = newChat();
    await walk(chat, SCREENS['account number']!);
    const [reply] = await chat.say(`${'a'.repeat(39)}🔥`);
    expect(reply?.kind === 'text' && /\p{Cs}/u.test(reply.text)).toBe(false);
  });
});
