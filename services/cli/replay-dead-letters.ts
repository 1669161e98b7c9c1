/**
 * Lists the dead letters and puts them back on their streams once the cause is fixed.
 *
 *   npm run replay-dead-letters                      # list them
 *   npm run replay-dead-letters -- --replay          # replay all
 *   npm run replay-dead-letters -- --group outbound --replay
 */
import { parseArgs } from 'node:util';
import { connectBus } from '../../shared/bus.js';
import { readConfig, readInfraConfig } from '../../shared/config.js';
import { listDeadLetters, replayDeadLetter } from '../../shared/dead-letters.js';
import { createLogger } from '../../shared/logger.js';

const { values } = parseArgs({ options: { group: { type: 'string' }, replay: { type: 'boolean', default: false } } });
const env = readConfig();
const infra = readInfraConfig(env);
env.done();

const bus = await connectBus(infra.natsUrl, 'replay-dead-letters', createLogger('replay-dead-letters', 'warn'));
try {
  const letters = await listDeadLetters(bus.jsm, values.group);
  for (const letter of letters) {
    console.log(`#${letter.seq} ${letter.group} ${letter.originalSubject} after ${letter.deliveries} deliveries: ${letter.reason}`);
    if (values.replay) await replayDeadLetter(bus.js, bus.jsm, letter);
  }
  console.log(`${letters.length} dead letter(s)${values.replay ? ' replayed' : ''}.`);
} finally {
  await bus.close();
}
