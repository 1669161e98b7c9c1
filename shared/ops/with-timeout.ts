/** What `withTimeout` rejects with by default: the operation gave no answer in time. */
export class OperationTimeoutError extends Error {
  override name = 'OperationTimeoutError';
}

/**
 * Rejects when `promise` has not settled within `ms`: a call must answer "no" quickly, not hang.
 * `late` makes the error a caller's own kind (a bus that did not store, a Viber that did not answer).
 */
export async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
  late: () => Error = () => new OperationTimeoutError(`${what}: no answer within ${ms} ms`),
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
