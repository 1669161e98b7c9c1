import type { MongoClient } from 'mongodb';
import { Counter, type Registry } from 'prom-client';

/** Commands that only read; every other data command writes. */
const READS = new Set(['find', 'aggregate', 'count', 'distinct', 'getMore']);

/**
 * Counts the commands a process sends to the store, by command name, so the store's cost per turn
 * is a figure (the bench divides them by turns). Needs a client made with `monitorCommands`.
 */
export function meterStoreCommands(client: MongoClient, registry: Registry): void {
  const commands = new Counter({
    name: 'energobot_store_commands_total',
    help: 'Commands sent to the store, by command and whether it reads or writes',
    labelNames: ['command', 'access'],
    registers: [registry],
  });
  client.on('commandStarted', (event) => {
    commands.inc({ command: event.commandName, access: READS.has(event.commandName) ? 'read' : 'write' });
  });
}
