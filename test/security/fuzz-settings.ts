import type { Parameters } from 'fast-check';

/** The seed CI runs with, so a failure there is the same failure on a developer's machine. */
const CI_SEED = 20261125;

/**
 * fast-check's parameters for a fuzz property: a fixed seed and a modest number of runs in
 * `npm test`; `npm run fuzz` sets FUZZ_RUNS for a long run, and FUZZ_SEED explores other inputs.
 * Also the test's timeout, grown with the runs.
 */
export function fuzzSettings(
  defaultRuns: number,
  msPerRun: number,
): { parameters: Parameters<unknown>; timeoutMs: number } {
  const numRuns = Number(process.env.FUZZ_RUNS ?? defaultRuns);
  const seed = Number(process.env.FUZZ_SEED ?? CI_SEED);
  if (!Number.isSafeInteger(numRuns) || numRuns < 1)
    throw new Error(`FUZZ_RUNS must be a positive integer, got "${process.env.FUZZ_RUNS}"`);
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, got "${process.env.FUZZ_SEED}"`);
  return { parameters: { numRuns, seed, endOnFailure: true }, timeoutMs: Math.max(60_000, numRuns * msPerRun) };
}
