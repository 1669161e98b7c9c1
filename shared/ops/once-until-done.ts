/**
 * `work` run once, by the first caller: its result is kept once it succeeds; a failure is
 * forgotten (every caller meanwhile gets `fallback`), so the next call tries again. For setup a
 * service can go on without, such as creating indexes on a store that is briefly away.
 */
export function onceUntilDone<T>(work: () => Promise<T>, fallback: T): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () =>
    (result ??= work().catch(() => {
      result = undefined;
      return fallback;
    }));
}
