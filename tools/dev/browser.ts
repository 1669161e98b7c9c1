import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's Chromium: the browser the simulator's page is tested in (playwright-core downloads none). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** How it is started headless on a machine without a display, a sandbox or a network to call home to. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Finds Debian's Chromium, installing it with apt-get when it is missing and we may (root, apt-get
 * present), so that `npm test` on a fresh machine needs no step of its own. Returns where it is, or
 * undefined with the reason when it cannot be had.
 */
export function ensureChromium(progress: (message: string) => void = () => {}): { path?: string; reason?: string } {
  if (existsSync(CHROMIUM)) return { path: CHROMIUM };
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    return { reason: `${CHROMIUM} is missing: install Debian's package (apt-get install -y chromium)` };
  }
  progress("installing Debian's chromium for the simulator page test (once; apt-get)…");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'chromium']]) {
    const run = spawnSync('apt-get', args, { env, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
    if (run.status !== 0) return { reason: `apt-get ${args.join(' ')} failed: ${run.stderr.slice(-500)}` };
  }
  return existsSync(CHROMIUM)
    ? { path: CHROMIUM }
    : { reason: `apt-get installed chromium, but ${CHROMIUM} is not there` };
}
