import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitForPort } from '../dev/local-servers.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface BenchChild {
  pid: number;
  stop(): Promise<void>;
}

/** Runs one of the benchmark's own TypeScript entry points as a Node process, until its port is open. */
export async function startBenchChild(entry: string, env: Record<string, string>, port: number): Promise<BenchChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitForPort(port, 30_000, child);
  return {
    pid: child.pid!,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
