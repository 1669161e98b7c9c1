/**
 * A JSON object: not null, not an array. The one check every reader of untrusted JSON starts with.
 * Its values are unknown unless the caller says how it will read them (`isRecord<any>`).
 */
export const isRecord = <T = unknown>(value: unknown): value is Record<string, T> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
