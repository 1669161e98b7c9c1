/**
 * The timeout of a reply's n-th attempt: the first timeout, doubled after each delivery up to the
 * cap. A messenger that answers slower than the timeout may still deliver, and each retry would
 * then be a duplicate; growing the wait lets an answer that is only slow come back within a few
 * attempts, so one reply costs at most log2(max / first) duplicates, not one per retry.
 */
export const attemptTimeoutMs = (deliveries: number, firstMs: number, maxMs: number): number =>
  Math.min(maxMs, firstMs * 2 ** Math.min(Math.max(deliveries - 1, 0), 20));
