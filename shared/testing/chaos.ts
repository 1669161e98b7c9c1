import { existsSync, writeFileSync } from 'node:fs';

/**
 * For the fault tests only: `CHAOS_KILL_AT=<step>` with `CHAOS_ONCE_FILE=<path>` makes a worker or
 * outbound kill itself with SIGKILL at that step of its next message, once (the file records that it
 * happened, so the process that gets the redelivery does not die too). Unset in real deployments.
 */
export function chaosKill(env: NodeJS.ProcessEnv): ((step: string) => void) | undefined {
  const at = env.CHAOS_KILL_AT;
  const onceFile = env.CHAOS_ONCE_FILE;
  if (!at || !onceFile) return undefined;
  return (step) => {
    if (step !== at || existsSync(onceFile)) return;
    writeFileSync(onceFile, `${process.pid} killed at ${step}\n`);
    process.kill(process.pid, 'SIGKILL');
  };
}
