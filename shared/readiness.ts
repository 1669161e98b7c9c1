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

export async function checkReadiness(checks: readonly ReadinessCheck[], timeoutMs = READINESS_TIMEOUT_MS): Promise<ReadinessReport> {
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

/**
 * The connection is open and a round trip to the server completes. While the client reconnects it
 * is not closed (it retries for ever), but a flush waits for the server, so the timeout says no.
 */
export const natsReady = (nc: NatsConnection): ReadinessCheck => ({
  name: 'nats',
  async check() {
    if (nc.isClosed()) throw new Error('connection closed');
    await nc.flush();
  },
});

export const storeReady = (db: Db): ReadinessCheck => ({
  name: 'store',
  async check() {
    await db.command({ ping: 1 });
  },
});

/** Outbound cannot send anything without a token and a well-formed API URL. (Calling Viber here would spend its rate limit on probes.) */
export const viberConfigured = (viber: { authToken: string; apiUrl: string }): ReadinessCheck => ({
  name: 'viber-config',
  check() {
    if (!viber.authToken) throw new Error('VIBER_AUTH_TOKEN is empty');
    const { protocol } = new URL(viber.apiUrl);
    if (protocol !== 'https:' && protocol !== 'http:') throw new Error('VIBER_API_URL is not an http(s) URL');
  },
});
