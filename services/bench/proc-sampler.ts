import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { round } from './stats.js';

/** CPU time is counted in clock ticks in /proc; almost always 100 a second on Linux. */
const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

export interface WatchedProcess {
  name: string;
  pid: number;
}

export interface ProcessFigures {
  name: string;
  pid: number;
  /** CPU over the measured window, in percent of one core (200 is both cores of this machine). */
  cpuPercent: number;
  cpuSeconds: number;
  peakRssMb: number;
}

/** utime + stime of a process in seconds, or undefined once it is gone. */
function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name, in parentheses, may contain spaces: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

function rssMb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
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
    for (const { pid } of this.processes) this.startCpu.set(pid, cpuSeconds(pid) ?? 0);
    this.sampleMemory();
    this.timer = setInterval(() => this.sampleMemory(), 1000);
  }

  stop(): ProcessFigures[] {
    clearInterval(this.timer);
    this.sampleMemory();
    const wallSeconds = (performance.now() - this.startedAt) / 1000;
    return this.processes.map(({ name, pid }) => {
      const used = (cpuSeconds(pid) ?? this.startCpu.get(pid)!) - this.startCpu.get(pid)!;
      return { name, pid, cpuSeconds: round(used, 2), cpuPercent: Math.round((used / wallSeconds) * 100), peakRssMb: Math.round(this.peakRss.get(pid) ?? 0) };
    });
  }

  private sampleMemory() {
    for (const { pid } of this.processes) this.peakRss.set(pid, Math.max(this.peakRss.get(pid) ?? 0, rssMb(pid)));
  }
}
