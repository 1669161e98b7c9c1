import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
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
export const binDir = () => process.env.ENERGOBOT_BIN_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'energobot', 'bin');

type Progress = (message: string) => void;

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const result = spawnSync(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr || result.stdout || result.error?.message}`);
  return result.stdout;
}

export function ensureNatsServer(progress: Progress = () => {}): string {
  const found = onPath('nats-server') ?? (existsSync(join(binDir(), 'nats-server')) ? join(binDir(), 'nats-server') : undefined);
  if (found) return found;
  progress(`building nats-server ${NATS_SERVER_VERSION} with go install (once; later runs reuse it)…`);
  mkdirSync(binDir(), { recursive: true });
  run('go', ['install', `${NATS_SERVER_MODULE}@${NATS_SERVER_VERSION}`], { env: { GOBIN: binDir(), GOFLAGS: '-buildvcs=false' } });
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
  progress(`building FerretDB ${FERRETDB_VERSION} from the Go module proxy (once, takes a few minutes; later runs reuse it)…`);
  const moduleDir = JSON.parse(run('go', ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`])).Dir as string;
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
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function waitForPort(port: number, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`process exited with code ${child.exitCode} before listening on ${port}`);
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

async function startProcess(command: string, args: string[], port: number, url: string, log?: (line: string) => void): Promise<LocalServer> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
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
    throw new Error(`${command} did not start: ${(error as Error).message}\n${tail.join('\n')}`);
  }
  return {
    url,
    port,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}

export async function startNats(options: { dataDir: string; port?: number; log?: (line: string) => void }): Promise<LocalServer> {
  const port = options.port ?? (await freePort());
  mkdirSync(options.dataDir, { recursive: true });
  const binary = ensureNatsServer();
  return startProcess(binary, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', options.dataDir], port, `nats://127.0.0.1:${port}`, options.log);
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
export async function startNatsCluster(options: { dataDir: string; nodes?: number; name?: string; log?: (line: string) => void }): Promise<LocalCluster> {
  const count = options.nodes ?? 3;
  const binary = ensureNatsServer();
  const ports = await Promise.all(Array.from({ length: count }, async () => ({ client: await freePort(), cluster: await freePort() })));
  const routeOf = (port: number) => `nats://127.0.0.1:${port}`;
  const nodes: LocalServer[] = [];
  try {
    for (const [index, { client, cluster }] of ports.entries()) {
      const name = `n${index + 1}`;
      const dataDir = join(options.dataDir, name);
      mkdirSync(dataDir, { recursive: true });
      const routes = ports.filter((other) => other.cluster !== cluster).map((other) => routeOf(other.cluster));
      const args = ['-js', '-a', '127.0.0.1', '-p', String(client), '-sd', dataDir, '-n', name, '--cluster_name', options.name ?? 'energobot', '-cluster', routeOf(cluster), '-routes', routes.join(',')];
      nodes.push(await startProcess(binary, args, client, `nats://127.0.0.1:${client}`, options.log && ((line) => options.log!(`${name}: ${line}`))));
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
        if (Date.now() > deadline) throw new Error(`JetStream not ready within ${timeoutMs} ms: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  } finally {
    await nc.close();
  }
}

/** A mongod on PATH when there is one, else FerretDB on SQLite: both speak MongoDB's protocol. */
export async function startMongoCompatible(options: { dataDir: string; port?: number; log?: (line: string) => void; progress?: Progress }): Promise<LocalServer & { engine: string }> {
  const port = options.port ?? (await freePort());
  mkdirSync(options.dataDir, { recursive: true });
  const url = `mongodb://127.0.0.1:${port}`;
  const mongod = onPath('mongod');
  if (mongod) {
    const server = await startProcess(mongod, ['--port', String(port), '--bind_ip', '127.0.0.1', '--dbpath', options.dataDir], port, url, options.log);
    return { ...server, engine: 'mongod' };
  }
  const ferretdb = ensureFerretDb(options.progress);
  const args = [
    '--handler=sqlite',
    `--sqlite-url=file:${options.dataDir}/`,
    `--state-dir=${options.dataDir}`,
    `--listen-addr=127.0.0.1:${port}`,
    '--debug-addr=-',
    '--telemetry=disable',
    '--log-level=warn',
  ];
  const server = await startProcess(ferretdb, args, port, url, options.log);
  return { ...server, engine: `FerretDB ${FERRETDB_VERSION} (SQLite)` };
}
