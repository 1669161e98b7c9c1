import { isRecord } from '../contracts/is-record.js';
import { DeliveryTimeoutError } from '../ports/channel-delivery.js';
import { TelegramApiError, type TelegramApi } from '../ports/telegram-api.js';
import { TELEGRAM_ALLOWED_UPDATES } from '../telegram/types.js';

/**
 * The real adapter: the plain Bot API over HTTP with Node's fetch, at `apiRoot` (Telegram's, a local
 * Bot API server, or the fake). Plain rather than grammY: no dependency, and the retry rules stay
 * outbound's (grammY's auto-retry would hide 429s from them); undici keeps connections alive.
 * The token is part of every URL, so no message here ever holds a URL or a fetch error's own text.
 */
export function createTelegramBotApi(options: {
  apiRoot: string;
  botToken: string;
  /** For setWebhook and getMe; `call` takes its own. */
  timeoutMs: number;
  /** Node's global fetch unless given (tests pass their own). */
  fetch?: typeof fetch;
}): TelegramApi {
  const base = `${options.apiRoot.replace(/\/+$/, '')}/bot${options.botToken}`;
  const send = options.fetch ?? ((input: string | URL | Request, init?: RequestInit) => fetch(input, init));

  async function call(method: string, body: Record<string, unknown>, timeoutMs: number): Promise<unknown> {
    if (!/^\w+$/.test(method)) throw new Error(`"${method}" is no Bot API method`);
    // Outside the try: parameters that are not JSON are bad data, not a network failure.
    const json = JSON.stringify(body);
    let status: number;
    let text: string;
    try {
      const response = await send(`${base}/${method}`, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json' },
        body: json,
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      // Maybe delivered, maybe not: outbound retries it like any timeout.
      if (error instanceof Error && error.name === 'TimeoutError')
        throw new DeliveryTimeoutError('Telegram', timeoutMs);
      throw new TelegramApiError(`Telegram ${method}: unreachable (${reasonOf(error)})`, undefined);
    }
    return resultOf(method, status, text);
  }

  return {
    call,
    async setWebhook(url, secretToken) {
      const parameters = { url, secret_token: secretToken, allowed_updates: [...TELEGRAM_ALLOWED_UPDATES] };
      await call('setWebhook', parameters, options.timeoutMs);
    },
    async getMe() {
      const me = await call('getMe', {}, options.timeoutMs);
      if (!isRecord(me)) throw new TelegramApiError('Telegram getMe: the answer holds no user', undefined);
      return me;
    },
  };
}

/** Why fetch threw, in words that carry no request data (its message may hold the URL, token and all). */
function reasonOf(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return cause.code;
  return error instanceof Error ? error.name : 'unknown error';
}

/** The `result` of an answer with ok: true; any other answer thrown as a classified TelegramApiError. */
function resultOf(method: string, status: number, text: string): unknown {
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    answer = undefined;
  }
  if (isRecord(answer) && answer.ok === true) return answer.result;
  if (isRecord(answer) && answer.ok === false && Number.isSafeInteger(answer.error_code)) {
    const code = answer.error_code as number;
    const description = typeof answer.description === 'string' ? answer.description.slice(0, 200) : 'no description';
    const retryAfter = isRecord(answer.parameters) ? answer.parameters.retry_after : undefined;
    throw new TelegramApiError(
      `Telegram refused ${method}: ${description} (${code})`,
      code,
      typeof retryAfter === 'number' && retryAfter >= 0 ? retryAfter : undefined,
    );
  }
  // A proxy's error page, or nothing a Bot API server would say: no answer from Telegram.
  throw new TelegramApiError(`Telegram ${method}: answered ${status} without a Bot API answer`, undefined);
}
