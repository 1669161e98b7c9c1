/** Latency percentiles in milliseconds; null when nothing was measured. */
export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function percentiles(samples: number[]): Percentiles | null {
  if (samples.length === 0) return null;
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[sorted.length - 1]! };
}

/**
 * Completions per second between the 10th and 90th percentile of completion times: the ramp-up
 * and the drain at either end say nothing about the sustained rate.
 */
export function steadyRate(completionTimes: number[]): number {
  if (completionTimes.length < 10) return 0;
  const sorted = Float64Array.from(completionTimes).sort();
  const from = sorted[Math.floor(sorted.length * 0.1)]!;
  const to = sorted[Math.floor(sorted.length * 0.9)]!;
  const inWindow = Math.floor(sorted.length * 0.9) - Math.floor(sorted.length * 0.1);
  return to > from ? (inWindow / (to - from)) * 1000 : 0;
}

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
