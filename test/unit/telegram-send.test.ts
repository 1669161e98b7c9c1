import { describe, expect, test } from 'vitest';
import { isUntried, telegramSender } from '../../services/outbound/index.js';
import { DeliveryError } from '../../shared/ports/channel-delivery.js';
import type { SentReplies } from '../../shared/ports/sent-replies.js';
import { TelegramApiError, type TelegramApi } from '../../shared/ports/telegram-api.js';
import type { OutboundReply } from '../../shared/contracts/reply.js';

const memorySent = (): SentReplies & { ids: Set<string> } => {
  const ids = new Set<string>();
  return { ids, wasSent: async (id) => ids.has(id), markSent: async (id) => void ids.add(id) };
};

/** A Bot API that records each call and fails the ones `failing` names (by their 0-based position). */
function recordingApi(failing: (index: number) => Error | undefined) {
  const calls: { method: string; body: Record<string, unknown> }[] = [];
  let attempts = 0;
  const api: TelegramApi = {
    async call(method, body) {
      const failure = failing(attempts++);
      if (failure) throw failure;
      calls.push({ method, body });
      return {};
    },
    setWebhook: async () => {},
    getMe: async () => ({}),
  };
  return { api, calls };
}

/** «Сервисный центр»: a text with a link and answer buttons, which Telegram shows as two messages. */
const linkAndButtons: OutboundReply = {
  id: 'e1:0',
  channel: 'telegram',
  chatId: 'tg:42',
  reply: {
    kind: 'text',
    text: 'Сервисный центр',
    keyboard: {
      buttons: [
        { text: 'Перейти на сайт', action: { kind: 'open-url', url: 'https://example.ru/service' } },
        { text: 'В меню', action: { kind: 'reply', value: 'В меню' } },
      ],
    },
  },
};

describe('a reply to a Telegram chat', () => {
  test('a two-message reply whose second message failed: the retry sends only the second', async () => {
    const sent = memorySent();
    const { api, calls } = recordingApi((attempt) =>
      attempt === 1 ? new TelegramApiError('Bad Gateway', 502) : undefined,
    );
    const send = telegramSender(api, sent);
    // The first delivery looks up nothing; the retry finds the first message recorded as sent.
    await expect(send(linkAndButtons, { timeoutMs: 1_000, untried: true })).rejects.toBeInstanceOf(DeliveryError);
    await send(linkAndButtons, { timeoutMs: 1_000, untried: false });
    expect(calls.map((call) => call.body.text)).toEqual(['Сервисный центр', 'Или выберите действие кнопкой ниже.']);
    expect(calls[0]!.body.reply_markup).toEqual({
      inline_keyboard: [[{ text: 'Перейти на сайт', url: 'https://example.ru/service' }]],
    });
    expect(calls[1]!.body.reply_markup).toMatchObject({ keyboard: [[{ text: 'В меню' }]] });
  });

  test('a reply that cannot be rendered is bad data: filed, never retried', async () => {
    const { api } = recordingApi(() => undefined);
    const bad = { ...linkAndButtons, reply: { kind: 'text' as const, text: '' } };
    await expect(telegramSender(api, memorySent())(bad, { timeoutMs: 1_000, untried: true })).rejects.toMatchObject({
      retryable: false,
    });
  });

  test('Telegram’s answers, classified as the Viber rules need them', () => {
    expect(new TelegramApiError('Too Many Requests', 429, 3)).toMatchObject({ retryable: true, retryAfterMs: 3_000 });
    expect(new TelegramApiError('Forbidden: bot was blocked by the user', 403)).toMatchObject({
      retryable: false,
      recipientGone: true,
    });
    expect(new TelegramApiError('Bad Request: message is too long', 400)).toMatchObject({ retryable: false });
    expect(new TelegramApiError('no answer', undefined)).toMatchObject({ retryable: true });
  });

  test('a reply needs no look for its sent record only on its first delivery, soon after its turn', () => {
    const madeAt = Date.parse('2026-12-01T10:00:00Z');
    const reply = { ...linkAndButtons, madeAt };
    const soon = madeAt + 200;
    expect(isUntried({ outbound: reply, deliveries: 1, storedAt: soon })).toBe(true);
    // Redelivered: an outbound may have sent it and stopped before acknowledging.
    expect(isUntried({ outbound: reply, deliveries: 2, storedAt: soon })).toBe(false);
    // Stored long after its turn: a worker published it again after the bus forgot the first copy.
    expect(isUntried({ outbound: reply, deliveries: 1, storedAt: madeAt + 45 * 60_000 })).toBe(false);
    // Said by an earlier release, which did not stamp its replies.
    expect(isUntried({ outbound: linkAndButtons, deliveries: 1, storedAt: soon })).toBe(false);
  });
});
