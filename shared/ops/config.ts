/**
 * Configuration is read from the environment once, at boot, and validated as a whole:
 * every problem is reported in one message that names the variable and the fix.
 * Library code never reads process.env; services pass the typed result down.
 */

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

type Env = Record<string, string | undefined>;

export interface ConfigReader {
  string(name: string, fallback?: string): string;
  /** A secret has no default: a missing one stops the start. */
  secret(name: string): string;
  int(name: string, fallback: number, range?: { min?: number; max?: number }): number;
  /** A decimal number, e.g. a rate of 0.5 per second. */
  number(name: string, fallback: number, range?: { min?: number; max?: number }): number;
  url(name: string, fallback?: string): string;
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T;
  /** Records a problem found by a check of the caller's own. */
  invalid(problem: string): void;
  /** Throws a ConfigError listing every problem found so far. */
  done(): void;
}

export function readConfig(env: Env = process.env): ConfigReader {
  const problems: string[] = [];
  const raw = (name: string) => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const numeric = (
    name: string,
    fallback: number,
    range: { min?: number; max?: number },
    kind: string,
    isKind: (value: number) => boolean,
  ) => {
    const text = raw(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    const { min = -Infinity, max = Infinity } = range;
    if (!isKind(value) || value < min || value > max) {
      problems.push(
        `${name} must be ${kind}${Number.isFinite(min) ? ` >= ${min}` : ''}` +
          `${Number.isFinite(max) ? ` <= ${max}` : ''}, got "${text}"`,
      );
      return fallback;
    }
    return value;
  };

  return {
    string(name, fallback) {
      const value = raw(name) ?? fallback;
      if (value === undefined) problems.push(`${name} is required`);
      return value ?? '';
    },
    secret(name) {
      const value = raw(name);
      if (value === undefined)
        problems.push(`${name} is required (a secret; set it in the environment, see .env.example)`);
      return value ?? '';
    },
    int(name, fallback, range = {}) {
      return numeric(name, fallback, range, 'an integer', Number.isInteger);
    },
    number(name, fallback, range = {}) {
      return numeric(name, fallback, range, 'a number', Number.isFinite);
    },
    url(name, fallback) {
      const value = raw(name) ?? fallback;
      if (value === undefined) {
        problems.push(`${name} is required (a URL)`);
        return '';
      }
      try {
        new URL(value);
      } catch {
        problems.push(`${name} must be a URL, got "${value}"`);
      }
      return value;
    },
    oneOf(name, allowed, fallback) {
      const value = raw(name) ?? fallback;
      if (!(allowed as readonly string[]).includes(value)) {
        problems.push(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
        return fallback;
      }
      return value as (typeof allowed)[number];
    },
    invalid(problem) {
      problems.push(problem);
    },
    done() {
      if (problems.length > 0) throw new ConfigError(problems);
    },
  };
}

/** Settings every service shares: where the bus and the store are. */
export interface InfraConfig {
  natsUrl: string;
  mongoUrl: string;
  mongoDb: string;
  partitions: number;
  /** Copies of each stream kept by a NATS cluster (1 for a single server). */
  replicas: number;
  /** How long a process may hold a message before the bus gives it to another. */
  ackWaitMs: number;
  /** Failed deliveries of one message before it is filed as a dead letter. */
  maxDeliveries: number;
  /** The first retry's delay; each next one doubles, with jitter, up to 30 s. */
  retryBaseMs: number;
  logLevel: string;
}

export const DEFAULT_PARTITIONS = 16;

export function readInfraConfig(config: ConfigReader): InfraConfig {
  return {
    natsUrl: config.string('NATS_URL', 'nats://127.0.0.1:4222'),
    mongoUrl: config.string('MONGO_URL', 'mongodb://127.0.0.1:27017'),
    mongoDb: config.string('MONGO_DB', 'energobot'),
    partitions: config.int('PARTITIONS', DEFAULT_PARTITIONS, { min: 1, max: 1024 }),
    replicas: config.int('STREAM_REPLICAS', 1, { min: 1, max: 5 }),
    ackWaitMs: config.int('ACK_WAIT_MS', 30_000, { min: 1_000 }),
    maxDeliveries: config.int('MAX_DELIVERIES', 8, { min: 1 }),
    retryBaseMs: config.int('RETRY_BASE_MS', 250, { min: 1 }),
    logLevel: config.oneOf(
      'LOG_LEVEL',
      ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const,
      'info',
    ),
  };
}
