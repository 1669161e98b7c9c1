import type { Violation } from './invariants.js';

/** A defect of the machine that the walk finds and that is reported, not yet fixed. */
export interface KnownDefect {
  description: string;
  matches: (violation: Violation) => boolean;
}

/**
 * Defects reported to the machine's owners. The model test tolerates these and fails on anything
 * else; it also fails once one of them no longer shows up, so the entry is removed with the fix.
 */
export const KNOWN_DEFECTS: readonly KnownDefect[] = [];
