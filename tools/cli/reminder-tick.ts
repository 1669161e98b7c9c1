/**
 * Puts a reading-reminder tick on the bus now, as the daily cron does at 10:00 Irkutsk time: one
 * worker fans it out. Safe to repeat: a reminder is stored once per chat, account and month, and
 * each chat says it once a month.
 *
 *   npm run reminder-tick                       # today in Irkutsk
 *   npm run reminder-tick -- --day 2026-12-15   # as if it were that day (a missed morning, a demo)
 */
import { parseArgs } from 'node:util';
import { connectBus } from '../../shared/bus/bus.js';
import { publishReminderTick } from '../../shared/bus/reminder-bus.js';
import { readConfig, readInfraConfig } from '../../shared/ops/config.js';
import { createLogger } from '../../shared/ops/logger.js';

const { values } = parseArgs({ options: { day: { type: 'string' } } });
if (values.day !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.day)) {
  console.error('--day must be YYYY-MM-DD');
  process.exit(2);
}
const env = readConfig();
const infra = readInfraConfig(env);
env.done();
const bus = await connectBus(infra.natsUrl, 'reminder-tick', createLogger('reminder-tick', 'warn'));
await publishReminderTick(bus.js, values.day ? { day: values.day } : {});
console.log(
  `tick published${values.day ? ` for ${values.day}` : ''}: ` +
    `a worker fans it out (see its log line "reminders fanned out")`,
);
await bus.close();
