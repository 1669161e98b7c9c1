import type { NatsConnection } from '@nats-io/transport-node';
import type { Db } from 'mongodb';
import { withTimeout } from './with-timeout.js';

/** One dependency a service cannot work without; `check` throws (or times out) when it is not usable now. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void> | void;
}

export interface ReadinessReport {
  ready: boolean;
  /** "ok" or why not, per check. */
  checks: Record<string, string>;
}

/** Short: a load balancer or compose polls this every few seconds and must not pile up probes. */
export const READINESS_TIMEOUT_MS = 2_000;

export async function checkReadiness(
  checks: readonly ReadinessCheck[],
  timeoutMs = READINESS_TIMEOUT_MS,
): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async ({ name, check }) => {
      try {
        await withTimeout(Promise.resolve().then(check), timeoutMs, name);
        return [name, 'ok'] as const;
      } catch (error) {
        return [name, error instanceof Error ? error.message : String(error)] as const;
      }
    }),
  );
  return { ready: results.every(([, result]) => result === 'ok'), checks: Object.fromEntries(results) };
}

/** Whether the client is connected to a NATS server right now, as its status events say. */
export interface BusLink {
  readonly up: boolean;
}

/**
 * Follows the connection's status: down from a disconnect until the client has reconnected. A
 * server that stops or dies closes the socket, so this knows at once, where a request would wait
 * for its timeout. (A server that hangs with the socket open is caught by the timeouts instead.)
 */
export function watchNatsLink(nc: NatsConnection): BusLink {
  const link = { up: !nc.isClosed() };
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'close') link.up = false;
      else if (status.type === 'reconnect') link.up = true;
    }
  })();
  return link;
}

/** How long the bus's round trip may take in a probe: ingress answers 503 within a second too. */
export const NATS_CHECK_TIMEOUT_MS = 1_000;

/**
 * The connection is up and a round trip to the server completes. While the client reconnects it
 * is not closed (it retries for ever): the link says so at once, and a flush that waits for a
 * server that does not answer times out.
 */
export const natsReady = (nc: NatsConnection, link?: BusLink): ReadinessCheck => ({
  name: 'nats',
  async check() {
    if (nc.isClosed()) throw new Error('connection closed');
    if (link && !link.up) throw new Error('disconnected; reconnecting');
    await withTimeout(nc.flush(), NATS_CHECK_TIMEOUT_MS, 'nats');
  },
});

export const storeReady = (db: Db): ReadinessCheck => ({
  name: 'store',
  async check() {
    await db.command({ ping: 1 });
  },
});

/**
 * Outbound cannot send anything without a token and a well-formed API URL. (Calling Viber here
 * would spend its rate limit on probes.)
 */
export const viberConfigured = (viber: { authToken: string; apiUrl: string }): ReadinessCheck => ({
  name: 'viber-config',
  check() {
    if (!viber.authToken) throw new Error('VIBER_AUTH_TOKEN is empty');
    const { protocol } = new URL(viber.apiUrl);
    if (protocol !== 'https:' && protocol !== 'http:') throw new Error('VIBER_API_URL is not an http(s) URL');
  },
});
