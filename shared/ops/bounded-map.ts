/**
 * Bounded, insertion-ordered collections: a Map (or Set) iterates its keys in the order they were
 * inserted, so re-inserting a key on use makes the first key the least recently used, and dropping
 * from the front keeps a cache or a dedupe memory within its bound.
 */

/** Sets `key` as the most recent entry of `map` (the last in its order). */
export function touch<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  map.set(key, value);
}

export interface DropOptions<K, V> {
  /** An entry still in use stays, even if the collection then stays above its bound. */
  spare?(value: V, key: K): boolean;
  /** Told of each entry dropped, after it left the collection. */
  onDrop?(value: V, key: K): void;
}

/** Drops the oldest entries of `entries` (the first in its order) until at most `max` remain. */
export function dropOldest<K>(entries: Set<K>, max: number): void;
export function dropOldest<K, V>(entries: Map<K, V>, max: number, options?: DropOptions<K, V>): void;
export function dropOldest<K, V>(entries: Map<K, V> | Set<K>, max: number, options: DropOptions<K, V> = {}): void {
  if (entries.size <= max) return;
  for (const [key, value] of entries.entries() as Iterable<[K, V]>) {
    if (entries.size <= max) return;
    if (options.spare?.(value, key)) continue;
    entries.delete(key);
    options.onDrop?.(value, key);
  }
}
