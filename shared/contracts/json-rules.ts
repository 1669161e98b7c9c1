import { isRecord } from './is-record.js';

/**
 * Reading untrusted JSON by rules: each path a reader will read, with the check its value must
 * pass, checked once before the body becomes anything else. A refusal names the path, never the
 * value (it may be personal data). Fields no rule names are left alone, so the sender may add to them.
 */

export type Check = (value: unknown) => boolean;
/** Path → check; a path ending in `?` is optional: absent or null is fine, any other value is checked. */
export type Rules = Readonly<Record<string, Check>>;

/** Half of a surrogate pair alone: not text any client can type, and not valid UTF-8 on the way back. */
const LONE_SURROGATE = /\p{Cs}/u;

function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

export const isString: Check = (value) => typeof value === 'string';
export const isNaturalNumber = (value: unknown): value is number =>
  Number.isSafeInteger(value) && (value as number) >= 0;
export const isSafeInteger: Check = (value) => Number.isSafeInteger(value);
/** Text a person typed, at most `max` characters (code points: lenient where a sender counts UTF-16 units). */
export const isText =
  (max: number): Check =>
  (value) =>
    typeof value === 'string' && (value.length <= max || codePoints(value) <= max) && !LONE_SURROGATE.test(value);
export const isName =
  (max: number): Check =>
  (value) =>
    typeof value === 'string' && value.length > 0 && value.length <= max;
export const inRange =
  (min: number, max: number): Check =>
  (value) =>
    typeof value === 'number' && value >= min && value <= max;

/** The value at a dotted path, or undefined when a step on the way is no object. */
export function valueAt(body: Record<string, unknown>, path: string): unknown {
  let value: unknown = body;
  for (const key of path.split('.')) value = isRecord(value) && Object.hasOwn(value, key) ? value[key] : undefined;
  return value;
}

/** The path of the first field that breaks its rule, or undefined when all keep them. */
export function firstBroken(body: Record<string, unknown>, rules: Rules): string | undefined {
  for (const [rule, isValid] of Object.entries(rules)) {
    const optional = rule.endsWith('?');
    const path = optional ? rule.slice(0, -1) : rule;
    const value = valueAt(body, path);
    if (optional && (value === undefined || value === null)) continue;
    if (!isValid(value)) return path;
  }
  return undefined;
}
