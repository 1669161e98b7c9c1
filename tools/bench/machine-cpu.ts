import { readFileSync } from 'node:fs';
import { round } from './stats.js';

/** The whole machine's CPU time from /proc/stat's first line, in clock ticks. */
interface CpuTotals {
  busy: number;
  /** Time the hypervisor gave to other guests while this one wanted to run. */
  steal: number;
  total: number;
}

function readCpuTotals(): CpuTotals | undefined {
  try {
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    // user nice system idle iowait irq softirq steal (guest time is already inside user and nice)
    const [user, nice, system, idle, iowait, irq, softirq, steal] = fields.slice(0, 8).map(Number) as number[];
    const busy = user! + nice! + system! + irq! + softirq!;
    return { busy, steal: steal!, total: busy + idle! + iowait! + steal! };
  } catch {
    return undefined;
  }
}

/** The machine's CPU over a scenario, in % of all its cores: a steal above a few % makes a run noisy. */
export interface MachineCpu {
  busyPercent: number;
  stealPercent: number;
}

/** Starts counting; the returned function gives the shares since then (null where /proc/stat is missing). */
export function startMachineCpu(): () => MachineCpu | null {
  const before = readCpuTotals();
  return () => {
    const after = readCpuTotals();
    if (!before || !after || after.total === before.total) return null;
    const share = (key: keyof CpuTotals) => round(((after[key] - before[key]) / (after.total - before.total)) * 100);
    return { busyPercent: share('busy'), stealPercent: share('steal') };
  };
}
