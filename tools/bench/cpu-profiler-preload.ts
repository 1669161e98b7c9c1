import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

/**
 * Loaded into a service with NODE_OPTIONS="--import tsx --import <this file>" and BENCH_PROFILE_DIR:
 * profiles the whole process and writes a .cpuprofile when it exits. Node 20 does not take
 * `--cpu-prof` from NODE_OPTIONS, and the services are started without extra arguments.
 */
const dir = process.env.BENCH_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  // A session in the same thread answers synchronously, so the profile is written before the exit completes.
  process.on('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (!error)
        writeFileSync(
          join(dir, `${process.env.BENCH_PROFILE_NAME ?? 'process'}-${process.pid}.cpuprofile`),
          JSON.stringify(result.profile),
        );
    });
  });
}
