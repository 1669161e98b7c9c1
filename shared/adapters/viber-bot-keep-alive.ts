import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { createRequire } from 'node:module';

type NeedlePost = (url: string, data: unknown, options: Record<string, unknown>, callback?: unknown) => unknown;

/** Idle connections to the API are closed after this, before a server or a proxy drops them under us. */
const IDLE_MS = 30_000;

const KEEPS_ALIVE = Symbol('energobot.keepAlive');

/**
 * viber-bot hands needle `rejectUnauthorized` and no agent, and needle then gives the request
 * `agent: false`: a new connection for every message, against Viber a TLS handshake each (5–6 % of
 * outbound's CPU against the local plain-HTTP fake, far more against Viber). This gives the calls of
 * viber-bot's own needle a keep-alive agent; everything else about the request stays viber-bot's.
 * Idempotent; nothing else in the product uses needle.
 */
export function keepViberBotConnectionsAlive(): void {
  const fromViberBot = createRequire(createRequire(import.meta.url).resolve('viber-bot/lib/viber-client'));
  const needle = fromViberBot('needle') as { post: NeedlePost & { [KEEPS_ALIVE]?: true } };
  if (needle.post[KEEPS_ALIVE]) return;
  const http = new HttpAgent({ keepAlive: true, timeout: IDLE_MS });
  const https = new HttpsAgent({ keepAlive: true, timeout: IDLE_MS });
  const post = needle.post;
  needle.post = Object.assign(
    (url: string, data: unknown, options: Record<string, unknown>, callback?: unknown) =>
      post(url, data, { agent: url.startsWith('https:') ? https : http, ...options }, callback),
    { [KEEPS_ALIVE]: true as const },
  );
}
