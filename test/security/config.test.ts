import { describe, expect, test } from 'vitest';
import { ConfigError, readConfig, readInfraConfig } from '../../shared/ops/config.js';
import { readViberConfig } from '../../shared/viber/config.js';
import { readOutboundSettings } from '../../services/outbound/index.js';
import { startService, type ServiceProcess } from '../../tools/dev/processes.js';
import { natsUrl } from '../harness/infra.js';

const SECRET = 'do-not-print-this-secret';

/** Resolves with the exit code once the process has ended. */
const exitOf = (service: ServiceProcess) =>
  new Promise<number | null>((resolve) => {
    if (service.child.exitCode !== null) return resolve(service.child.exitCode);
    service.child.once('exit', (code) => resolve(code));
  });

/** What the process said, as a person reads it: log messages, error messages and raw output. */
const said = (service: ServiceProcess) =>
  service.logs
    .flatMap((line) =>
      [line.msg, (line.err as { message?: unknown } | undefined)?.message, line.raw, line.stderr].filter(
        (part) => typeof part === 'string',
      ),
    )
    .join('\n');

describe('configuration is validated at start, naming what is wrong', () => {
  test('every problem in one error, each naming its variable, secrets never echoed', () => {
    const env = readConfig({
      PARTITIONS: 'many',
      NATS_URL: 'not a url',
      VIBER_AUTH_TOKEN: '',
      RATE: '0.5',
      LEVEL: 'loud',
      GOOD: SECRET,
    });
    readInfraConfig(env);
    readViberConfig(env);
    expect(env.number('RATE', 1, { min: 0.001 })).toBe(0.5);
    env.oneOf('LEVEL', ['info', 'warn'] as const, 'info');
    env.secret('GOOD');
    let error: unknown;
    try {
      env.done();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems).toEqual([
      'PARTITIONS must be an integer >= 1 <= 1024, got "many"',
      'VIBER_AUTH_TOKEN is required (a secret; set it in the environment, see .env.example)',
      'LEVEL must be one of info, warn, got "loud"',
    ]);
    expect(message).not.toContain(SECRET);
  });

  test('a secret has no default: only the environment provides it', () => {
    const env = readConfig({});
    expect(env.secret('SMS_CODE_SECRET')).toBe('');
    expect(() => env.done()).toThrow(/SMS_CODE_SECRET is required/);
    expect(readConfig({ SMS_CODE_SECRET: '   ' }).secret('SMS_CODE_SECRET')).toBe('');
  });

  test('the send timeouts keep their earlier names (VIBER_TIMEOUT_*) as a fallback; the new names win', () => {
    const settings = (env: Record<string, string>) => readOutboundSettings(readConfig(env));
    expect(settings({})).toMatchObject({ sendTimeoutMs: 10_000, sendTimeoutMaxMs: 60_000 });
    expect(settings({ VIBER_TIMEOUT_MS: '500', VIBER_TIMEOUT_MAX_MS: '4000' })).toMatchObject({
      sendTimeoutMs: 500,
      sendTimeoutMaxMs: 4_000,
    });
    expect(settings({ VIBER_TIMEOUT_MS: '500', SEND_TIMEOUT_MS: '700', SEND_TIMEOUT_MAX_MS: '9000' })).toMatchObject({
      sendTimeoutMs: 700,
      sendTimeoutMaxMs: 9_000,
    });
  });

  describe('services/ingress/main.ts as a real process', () => {
    const base = {
      NATS_URL: natsUrl(),
      PAYMENT_SECRET: 'payment-secret',
      INGRESS_HOST: '127.0.0.1',
      INGRESS_PORT: '0',
      LOG_LEVEL: 'info',
    };

    test.each([
      ['without VIBER_AUTH_TOKEN', { VIBER_AUTH_TOKEN: '' }, ['VIBER_AUTH_TOKEN is required']],
      [
        'with a bad PARTITIONS',
        { VIBER_AUTH_TOKEN: SECRET, PARTITIONS: '0' },
        ['PARTITIONS must be an integer >= 1 <= 1024, got "0"'],
      ],
      [
        'with bad rate limits',
        { VIBER_AUTH_TOKEN: SECRET, RATE_LIMIT_BURST: 'lots', RATE_LIMIT_PER_SECOND: '-1' },
        ['RATE_LIMIT_BURST must be an integer >= 1', 'RATE_LIMIT_PER_SECOND must be a number >= 0.001, got "-1"'],
      ],
    ])('%s: exits non-zero, saying so', async (_label, env, named) => {
      const service = startService('ingress', { ...base, ...env });
      const code = await exitOf(service);
      expect(code).not.toBe(0);
      expect(code).not.toBeNull();
      for (const problem of named) expect(said(service)).toContain(problem);
      expect(JSON.stringify(service.logs)).not.toContain(SECRET);
    });
  });
});
