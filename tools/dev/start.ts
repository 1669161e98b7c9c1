/**
 * `npm start`: the whole stack on local defaults. Finds or builds nats-server and a
 * MongoDB-protocol server (unless NATS_URL / MONGO_URL point elsewhere), starts the fake Viber API
 * and the fake Telegram Bot API, ingress, worker, outbound and the simulator page, registers both
 * webhooks with the fakes, and says where to look.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createViberBotApi } from '../../shared/adapters/viber-bot-api.js';
import { SUBSCRIBED_EVENT_TYPES } from '../../shared/viber/types.js';
import { createTelegramBotApi } from '../../shared/adapters/telegram-bot-api.js';
import { freePort, startMongoCompatible, startNats, waitForPort, type LocalServer } from './local-servers.js';
import {
  LOCAL_TELEGRAM_TOKEN,
  localStackEnv,
  startService,
  waitForLog,
  type ServiceName,
  type ServiceProcess,
} from './processes.js';

const DATA_DIR = fileURLToPath(new URL('../../.data', import.meta.url));
const DEV_TOKEN = 'local-dev-token';
const WORKERS = Number(process.env.WORKERS ?? 2);

const say = (message: string) => console.log(`\x1b[36m[start]\x1b[0m ${message}`);

/** A fixed port when free, so bookmarks keep working; another one when something else holds it. */
async function portOr(preferred: number): Promise<number> {
  try {
    await waitForPort(preferred, 200);
    return freePort();
  } catch {
    return preferred;
  }
}

const LEVEL: Record<number, string> = { 20: 'debug', 30: 'info', 40: 'warn', 50: 'ERROR', 60: 'FATAL' };
const printLine = (name: string) => (line: Record<string, unknown>) => {
  const { level, msg, time: _t, pid: _p, service: _s, name: _n, hostname: _h, ...rest } = line;
  const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  console.log(`${name.padEnd(10)} ${(LEVEL[level as number] ?? '').padEnd(5)} ${msg ?? ''}${extra}`);
};

/** The local SMS gateway keeps what it "sent"; show each new SMS here, as a phone would. */
function printSmsOutbox(outboxUrl: string) {
  let after = 0;
  setInterval(async () => {
    try {
      const messages = (await (await fetch(`${outboxUrl}?after=${after}`)).json()) as {
        seq: number;
        phone: string;
        text: string;
      }[];
      for (const message of messages) {
        after = Math.max(after, message.seq);
        console.log(`\x1b[33m[sms]\x1b[0m to +${message.phone}: ${message.text}`);
      }
    } catch {
      // The reference service is restarting or stopping: the next tick tries again.
    }
  }, 1_000).unref();
}

async function main() {
  const servers: LocalServer[] = [];
  const services: ServiceProcess[] = [];
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    await Promise.all(services.map((service) => service.stop()));
    await Promise.all(servers.map((server) => server.stop()));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  let natsUrl = process.env.NATS_URL;
  if (!natsUrl) {
    const nats = await startNats({ dataDir: join(DATA_DIR, 'nats'), port: await portOr(4222) });
    servers.push(nats);
    natsUrl = nats.url;
  }
  say(`NATS JetStream at ${natsUrl}`);
  let mongoUrl = process.env.MONGO_URL;
  if (!mongoUrl) {
    const store = await startMongoCompatible({
      dataDir: join(DATA_DIR, 'store'),
      port: await portOr(27017),
      progress: say,
    });
    servers.push(store);
    mongoUrl = store.url;
    say(`store: ${store.engine} at ${mongoUrl} (data in .data/store)`);
  }

  const ports = {
    ingress: await portOr(8080),
    fakeViber: await portOr(8090),
    fakeTelegram: await portOr(8091),
    reference: await portOr(8070),
    simulator: await portOr(8060),
  };
  const authToken = process.env.VIBER_AUTH_TOKEN ?? DEV_TOKEN;
  const env = localStackEnv({
    natsUrl: natsUrl!,
    mongoUrl: mongoUrl!,
    mongoDb: process.env.MONGO_DB ?? 'energobot',
    authToken,
    ports,
  });
  const names: ServiceName[] = [
    'fake-viber',
    'fake-telegram',
    'reference',
    'ingress',
    ...Array<ServiceName>(WORKERS).fill('worker'),
    'outbound',
    'simulator',
  ];
  names.forEach((name, index) => {
    const label = name === 'worker' ? `worker-${index - names.indexOf('worker')}` : name;
    services.push(startService(name, env, { onLine: printLine(label), keepLogs: 200 }));
  });
  await Promise.all(services.map((service) => waitForLog(service, 'started', 60_000)));

  const webhookUrl = `http://127.0.0.1:${ports.ingress}/viber/webhook`;
  const viber = createViberBotApi({
    apiUrl: `http://127.0.0.1:${ports.fakeViber}/pa`,
    authToken,
    sender: { name: 'dev' },
    eventTypes: SUBSCRIBED_EVENT_TYPES,
    timeoutMs: 5_000,
  });
  await viber.setWebhook(webhookUrl, SUBSCRIBED_EVENT_TYPES);
  const telegram = createTelegramBotApi({
    apiRoot: env.TELEGRAM_API_ROOT!,
    botToken: LOCAL_TELEGRAM_TOKEN,
    timeoutMs: 5_000,
  });
  await telegram.setWebhook(env.TELEGRAM_WEBHOOK_URL!, env.TELEGRAM_WEBHOOK_SECRET!);

  printSmsOutbox(`http://127.0.0.1:${ports.reference}/sms/outbox`);
  say('ready.');
  console.log(`
  Viber simulator:          http://127.0.0.1:${ports.simulator}   (open it: chat as customers, read the SMS, watch the dialogue's state)
  Viber webhook (ingress):  POST ${webhookUrl}
  Fake Viber API:           http://127.0.0.1:${ports.fakeViber}/pa   (webhook registered)
  What the bot sent:        curl -s http://127.0.0.1:${ports.fakeViber}/_fake/messages
  Telegram webhook:         POST ${env.TELEGRAM_WEBHOOK_URL}
  Fake Telegram Bot API:    ${env.TELEGRAM_API_ROOT}/bot<token>/…   (webhook registered)
  What the bot sent there:  curl -s ${env.TELEGRAM_API_ROOT}/_fake/messages
  Billing, SMS, payments:   http://127.0.0.1:${ports.reference}   (local reference systems; SMS codes are printed below)
  Demo account:             инзб12345678, phone +7 900 123-45-67
  Send a first message as a customer would:
    npm run send-event -- --user alice --open
    npm run send-event -- --user alice --text Начать
    npm run send-event -- --user alice --text "Передать показания"
    npm run send-event -- --user alice --text "Запросить СМС код"
    npm run send-event -- --user alice --text инзб12345678
    npm run send-event -- --user alice --contact +79001234567
    npm run send-event -- --user alice --text <the code printed as [sms]>
  The same customer on Telegram (a chat of its own, linked on its own):
    npm run send-event -- --channel telegram --user 1001 --open
    npm run send-event -- --channel telegram --user 1001 --text Начать
  Ctrl-C stops everything.
`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
