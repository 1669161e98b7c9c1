/**
 * One JSON call to a system outside the bot, shared by the HTTP adapters of the ports. What the
 * customer can only wait out (no answer in time, a refused connection, a 5xx, a success whose
 * body is not JSON) becomes the port's "unavailable" error; any other answer comes back with its
 * status for the adapter to judge. Error messages name the system and the operation, never the
 * URL or the body: both may carry an account number or a phone.
 */

export interface HttpAdapterOptions {
  /** e.g. http://127.0.0.1:8070/billing; a trailing slash is ignored. */
  baseUrl: string;
  /** For the whole call, body included. */
  timeoutMs: number;
  /** Node's global fetch unless given (tests pass their own). */
  fetch?: typeof fetch;
}

export interface JsonAnswer {
  status: number;
  /** The parsed body; undefined when empty, or not JSON on a non-2xx answer. */
  body: unknown;
}

export type UnavailableError = new (message: string) => Error;

export interface JsonCaller {
  call(operation: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<JsonAnswer>;
  /** The port's error for an answer the adapter cannot use. */
  unexpected(operation: string, answer: JsonAnswer): Error;
}

export const isSuccess = (answer: JsonAnswer) => answer.status >= 200 && answer.status < 300;

/** Why fetch threw, in words that carry no request data. */
function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  const reason = typeof cause?.code === 'string' ? cause.code : error instanceof Error ? error.name : 'unknown error';
  return `unreachable (${reason})`;
}

export function createJsonCaller(
  system: string,
  options: HttpAdapterOptions,
  Unavailable: UnavailableError,
): JsonCaller {
  const base = options.baseUrl.replace(/\/+$/, '');
  const send = options.fetch ?? ((input: string | URL | Request, init?: RequestInit) => fetch(input, init));
  const fail = (operation: string, what: string) => new Unavailable(`${system} ${operation}: ${what}`);

  return {
    async call(operation, method, path, body) {
      let status: number;
      let text: string;
      try {
        const response = await send(`${base}${path}`, {
          method,
          headers:
            body === undefined
              ? { accept: 'application/json' }
              : { accept: 'application/json', 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        status = response.status;
        text = await response.text();
      } catch (error) {
        throw fail(operation, describeFailure(error, options.timeoutMs));
      }
      if (status >= 500) throw fail(operation, `answered ${status}`);
      if (text.trim() === '') return { status, body: undefined };
      try {
        return { status, body: JSON.parse(text) as unknown };
      } catch {
        if (status >= 200 && status < 300) throw fail(operation, `answered ${status} with a body that is not JSON`);
        return { status, body: undefined };
      }
    },
    unexpected(operation, answer) {
      return fail(
        operation,
        isSuccess(answer)
          ? `answered ${answer.status} with a body of an unexpected shape`
          : `answered ${answer.status}`,
      );
    },
  };
}
