/** Single activation of chat partitions: leases in NATS KV, balance, and the takeover of a partition's consumer. */
export { startPartitionOwnership, OWNERSHIP_BUCKET } from './partition-leases.js';
export type { Lease, OwnershipOptions, PartitionOwnership } from './partition-leases.js';
export { takeOverPartitionConsumer } from './partition-consumer.js';
export type { TakeOverOptions } from './partition-consumer.js';
export { planBalance } from './balance.js';
export type { BalanceInput, BalancePlan } from './balance.js';
