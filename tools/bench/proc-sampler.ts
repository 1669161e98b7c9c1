import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { round } from './stats.js';

/** CPU time is counted in clock ticks in /proc; almost always 100 a second on Linux. */
const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

export interface WatchedProcess {
  name: string;
  pid: number;
  /**
   * Count its child processes too: PostgreSQL serves each connection from a process of its own,
   * so the postmaster alone shows almost none of the store's work.
   */
  withChildren?: boolean;
}

export interface ProcessFigures {
  name: string;
  pid: number;
  /** CPU over the measured window, in percent of one core (200 is both cores of this machine). */
  cpuPercent: number;
  cpuSeconds: number;
  peakRssMb: number;
}

/** /proc/<pid>/stat: the command name, and the fields after it (index 0 is field 3, the state). */
function readStat(pid: number): { name: string; fields: number[] } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name, in parentheses, may contain spaces: count fields after its closing one.
    const close = stat.lastIndexOf(')');
    return {
      name: stat.slice(stat.indexOf('(') + 1, close),
      fields: stat
        .slice(close + 2)
        .split(' ')
        .map(Number),
    };
  } catch {
    return undefined;
  }
}

const statFields = (pid: number) => readStat(pid)?.fields;
const [PPID, UTIME, STIME, CUTIME, CSTIME] = [1, 11, 12, 13, 14];

/** The processes whose parent is `parent`, with their command names. */
export function childProcesses(parent: number): { pid: number; name: string }[] {
  const pids = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);
  return pids.flatMap((pid) => {
    const stat = readStat(pid);
    return stat?.fields[PPID] === parent ? [{ pid, name: stat.name }] : [];
  });
}

const childrenOf = (pid: number) => childProcesses(pid).map((child) => child.pid);

/**
 * utime + stime of a process in seconds, or undefined once it is gone. With its children: also
 * theirs, the live ones' directly and the ended ones' as the parent's cutime + cstime.
 */
function cpuSeconds({ pid, withChildren }: WatchedProcess): number | undefined {
  const own = statFields(pid);
  if (!own) return undefined;
  let ticks = own[UTIME]! + own[STIME]!;
  if (withChildren) {
    ticks += own[CUTIME]! + own[CSTIME]!;
    for (const child of childrenOf(pid)) {
      const fields = statFields(child);
      ticks += fields ? fields[UTIME]! + fields[STIME]! : 0;
    }
  }
  return ticks / TICKS_PER_SECOND;
}

function statusKb(pid: number, field: string): number {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Resident memory; with children, their private memory only (shared buffers would count again each). */
function rssMb({ pid, withChildren }: WatchedProcess): number {
  const children = withChildren ? childrenOf(pid).reduce((sum, child) => sum + statusKb(child, 'RssAnon'), 0) : 0;
  return (statusKb(pid, 'VmRSS') + children) / 1024;
}

/**
 * Samples the CPU time and resident memory of the given processes once a second from /proc, from
 * `start()` to `stop()`: CPU is the difference over that window, memory its peak.
 */
export class ProcessSampler {
  private readonly startCpu = new Map<number, number>();
  private readonly peakRss = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;

  constructor(private readonly processes: WatchedProcess[]) {}

  start(): void {
    this.startedAt = performance.now();
    for (const process of this.processes) this.startCpu.set(process.pid, cpuSeconds(process) ?? 0);
    this.sampleMemory();
    this.timer = setInterval(() => this.sampleMemory(), 1000);
  }

  stop(): ProcessFigures[] {
    clearInterval(this.timer);
    this.sampleMemory();
    const wallSeconds = (performance.now() - this.startedAt) / 1000;
    return this.processes.map((process) => {
      const { name, pid } = process;
      const used = (cpuSeconds(process) ?? this.startCpu.get(pid)!) - this.startCpu.get(pid)!;
      return {
        name,
        pid,
        cpuSeconds: round(used, 2),
        cpuPercent: Math.round((used / wallSeconds) * 100),
        peakRssMb: Math.round(this.peakRss.get(pid) ?? 0),
      };
    });
  }

  private sampleMemory() {
    for (const process of this.processes) {
      this.peakRss.set(process.pid, Math.max(this.peakRss.get(process.pid) ?? 0, rssMb(process)));
    }
  }
}
