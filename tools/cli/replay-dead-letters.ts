/**
 * Lists the dead letters and puts them back once the cause is fixed.
 *
 *   npm run replay-dead-letters                      # list them
 *   npm run replay-dead-letters -- --replay          # replay all
 *   npm run replay-dead-letters -- --group outbound --replay
 *
 * A worker's letter (an event) goes back on its stream. Outbound's letters (replies) are sent to
 * their messenger chat by chat, each chat's in its order, and the chat's park is lifted after its last one
 * (services/outbound/replay.ts): replaying needs outbound's settings (VIBER_AUTH_TOKEN and so on).
 */
import { parseArgs } from 'node:util';
import { connectBus } from '../../shared/bus/bus.js';
import { Groups } from '../../shared/bus/chat-bus.js';
import { readConfig, readInfraConfig } from '../../shared/ops/config.js';
import { listDeadLetters, replayDeadLetter, type DeadLetter } from '../../shared/bus/dead-letters.js';
import { chatTag, createLogger } from '../../shared/ops/logger.js';
import { readViberConfig } from '../../shared/viber/config.js';
import { readTelegramConfig } from '../../shared/telegram/config.js';
import {
  readOutboundSettings,
  replayOutboundLetters,
  type ReplayReport,
  messengerSenders,
} from '../../services/outbound/index.js';
import { natsParkedChats } from '../../shared/adapters/nats-parked-chats.js';
import { natsSentReplies } from '../../shared/adapters/nats-sent-replies.js';

const { values } = parseArgs({ options: { group: { type: 'string' }, replay: { type: 'boolean', default: false } } });
const wants = (group: string) => values.group === undefined || values.group === group;
const env = readConfig();
const infra = readInfraConfig(env);
// Only sending replies needs the bot's token; listing and replaying events do not.
const sendsReplies = values.replay && wants(Groups.Outbound);
const outbound = sendsReplies
  ? { viber: readViberConfig(env), telegram: readTelegramConfig(env), settings: readOutboundSettings(env) }
  : undefined;
env.done();

const logger = createLogger('replay-dead-letters', 'warn');
const bus = await connectBus(infra.natsUrl, 'replay-dead-letters', logger);

/** One line per letter; a reply's chat as its digest, so a chat's letters can be told apart. */
function describe(letter: DeadLetter): string {
  let chat = '';
  try {
    const chatId = (JSON.parse(new TextDecoder().decode(letter.data)) as { chatId?: unknown }).chatId;
    if (letter.group === Groups.Outbound && typeof chatId === 'string') chat = ` chat ${chatTag(chatId)}`;
  } catch {
    // not JSON: no chat to show
  }
  const where = `${letter.originalSubject} #${letter.originalSeq}`;
  return `#${letter.seq} ${letter.group}${chat} ${where} after ${letter.deliveries} deliveries: ${letter.reason}`;
}

async function replayReplies(): Promise<ReplayReport> {
  const { viber, telegram, settings } = outbound!;
  const sent = await natsSentReplies(bus.js, infra.replicas);
  return replayOutboundLetters({
    jsm: bus.jsm,
    group: Groups.Outbound,
    parked: await natsParkedChats(bus.js, infra.replicas),
    sent,
    send: messengerSenders({ viber, telegram, sent, timeoutMs: settings.sendTimeoutMaxMs }),
    timeoutMs: settings.sendTimeoutMs,
    logger,
  });
}

let failed = false;
try {
  const letters = (await listDeadLetters(bus.jsm)).filter((letter) => wants(letter.group));
  for (const letter of letters) console.log(describe(letter));
  console.log(`${letters.length} dead letter(s).`);
  if (values.replay) {
    const events = letters.filter((letter) => letter.group !== Groups.Outbound);
    for (const letter of events) await replayDeadLetter(bus.js, bus.jsm, letter);
    if (events.length > 0) console.log(`${events.length} event(s) put back on their streams.`);
    if (outbound) {
      const report = await replayReplies();
      for (const chat of report.chats) {
        const outcome = chat.failure ? `still parked: ${chat.failure}` : 'unparked';
        const counts = `${chat.sent} reply(ies) sent, ${chat.alreadySent} sent before`;
        console.log(`chat ${chatTag(chat.chatId)}: ${counts}; ${outcome}`);
      }
      for (const letter of report.unreadable) console.log(`#${letter.seq} holds no reply; left as it is`);
      failed = report.chats.some((chat) => chat.failure !== undefined);
    }
  }
} finally {
  await bus.close();
}
process.exitCode = failed ? 1 : 0;
