/**
 * A chat's pending timers, for a person answering a customer's question ("why did the bot write
 * that?", "will it remind me?"): what the chat's saved state has armed, when each is due (Irkutsk
 * time), and whether its schedule is on the bus; and whether the chat asked for reading reminders.
 *
 *   npm run timers -- --user <viber user id>
 *
 * Reads only: the store (by _id) and the bus.
 */
import { parseArgs } from 'node:util';
import { MongoChatStore } from '../../shared/adapters/mongo-chat-store.js';
import { connectBus } from '../../shared/bus/bus.js';
import { REMINDER_TIME_ZONE } from '../../shared/bus/reminder-bus.js';
import { storedTimers } from '../../shared/bus/timers.js';
import { readConfig, readInfraConfig } from '../../shared/ops/config.js';
import { chatTag, createLogger } from '../../shared/ops/logger.js';
import { connectStore } from '../../shared/store/mongo.js';

const { values } = parseArgs({ options: { user: { type: 'string' } } });
if (!values.user) {
  console.error('usage: npm run timers -- --user <viber user id>');
  process.exit(2);
}
const chatId = values.user;
const env = readConfig();
const infra = readInfraConfig(env);
env.done();

const irkutsk = (at: number) => new Date(at).toLocaleString('ru-RU', { timeZone: REMINDER_TIME_ZONE });
const bus = await connectBus(infra.natsUrl, 'timers', createLogger('timers', 'warn'));
const store = await connectStore(infra.mongoUrl, infra.mongoDb);
try {
  const record = await new MongoChatStore(store.db).load(chatId);
  if (!record) {
    console.log(`chat ${chatTag(chatId)}: nothing saved`);
  } else {
    const context =
      (record.snapshot as { value?: unknown; context?: { reminders?: boolean; reminded?: Record<string, string> } })
        .context ?? {};
    const state = JSON.stringify((record.snapshot as { value?: unknown }).value);
    console.log(`chat ${chatTag(chatId)}: version ${record.version}, state ${state}`);
    console.log(
      `reading reminders: ${context.reminders ? 'on' : 'off'}` +
        `${context.reminded ? `; last said ${JSON.stringify(context.reminded)}` : ''}`,
    );
    const timers = record.timers;
    if (timers.length === 0) console.log('no pending timers');
    const onBus = new Map(
      (
        await storedTimers(
          bus.jsm,
          infra.partitions,
          chatId,
          timers.map((t) => t.id),
        )
      ).map((t) => [t.id, t.schedule]),
    );
    for (const timer of timers) {
      const due = timer.at - Date.now();
      const when =
        due > 0
          ? `in ${Math.ceil(due / 1000)} s`
          : `${Math.ceil(-due / 1000)} s ago (delivered soon, or waiting for its partition)`;
      console.log(
        `- ${timer.id}: due ${irkutsk(timer.at)} (Irkutsk), ${when}; ` +
          `delivers ${timer.event.type}; on the bus: ${onBus.get(timer.id) ?? 'no'}`,
      );
    }
  }
} finally {
  await store.close();
  await bus.close();
}
