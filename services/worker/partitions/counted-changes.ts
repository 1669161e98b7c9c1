import type { PartitionCallbacks } from './partition-host.js';

/** The host's ownership callbacks, each call counted: how often this worker's partitions changed hands. */
export function countedChanges(callbacks: PartitionCallbacks): PartitionCallbacks & { changes(): number } {
  let changes = 0;
  const counted =
    <A extends unknown[], R>(callback: (...args: A) => R) =>
    (...args: A): R => {
      changes++;
      return callback(...args);
    };
  return {
    onGained: counted(callbacks.onGained),
    onReleasing: counted(callbacks.onReleasing),
    onLost: counted(callbacks.onLost),
    changes: () => changes,
  };
}
