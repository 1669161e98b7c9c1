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
 * The steady window of a run: from the 10th to the 90th percentile of the given times, with how many
 * of them fall in it; the ramp-up and the drain at either end say nothing about the sustained run.
 * Undefined for fewer than 10 times.
 */
export function steadyWindow(times: number[]): { from: number; to: number; inWindow: number } | undefined {
  if (times.length < 10) return undefined;
  const sorted = Float64Array.from(times).sort();
  const [first, last] = [Math.floor(sorted.length * 0.1), Math.floor(sorted.length * 0.9)];
  return { from: sorted[first]!, to: sorted[last]!, inWindow: last - first };
}

/** Completions per second over the steady window of their times. */
export function steadyRate(completionTimes: number[]): number {
  const window = steadyWindow(completionTimes);
  return window && window.to > window.from ? (window.inWindow / (window.to - window.from)) * 1000 : 0;
}

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
