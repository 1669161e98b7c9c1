import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The part of V8's .cpuprofile format that self time needs. */
interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
export interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame }[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  what: string;
  percent: number;
}

/** V8's pseudo-frames: the time outside JavaScript. */
const PSEUDO_FRAMES = new Set(['(program)', '(garbage collector)']);

/** A file as a reader looks for it: the package for node_modules, the repo path for the repo's own code. */
function place(url: string): string {
  if (url === '') return '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 'node_modules/'.length).split('/');
    return parts.slice(0, parts[0]!.startsWith('@') ? 2 : 1).join('/');
  }
  return url.startsWith('node:') ? url : relative(process.cwd(), url.replace(/^file:\/\//, ''));
}

/**
 * Self time summed per key over every sample of the profiles, as percentages of the busy time
 * (idle left out: a worker waiting for the store is not spending CPU), highest first.
 */
function selfTime(profiles: CpuProfile[], keyOf: (frame: CallFrame) => string, top: number): SelfTime[] {
  const micros = new Map<string, number>();
  let total = 0;
  for (const profile of profiles) {
    const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
    profile.samples.forEach((id, index) => {
      const frame = frames.get(id)!;
      if (frame.functionName === '(idle)') return;
      const key = keyOf(frame);
      const delta = profile.timeDeltas[index] ?? 0;
      micros.set(key, (micros.get(key) ?? 0) + delta);
      total += delta;
    });
  }
  return [...micros.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([what, spent]) => ({ what, percent: Math.round((spent / total) * 1000) / 10 }));
}

/** The functions that spent the most time themselves (not in what they called). */
export const hotFunctions = (profiles: CpuProfile[], top = 20) =>
  selfTime(
    profiles,
    (frame) =>
      PSEUDO_FRAMES.has(frame.functionName)
        ? frame.functionName
        : `${frame.functionName || '(anonymous)'} ${place(frame.url)}` +
          `${frame.url && !frame.url.startsWith('node:') ? `:${frame.lineNumber + 1}` : ''}`,
    top,
  );

/** Self time by package, or by folder of the repo's own code: where the CPU goes, coarsely. */
export const hotPlaces = (profiles: CpuProfile[], top = 15) =>
  selfTime(
    profiles,
    (frame) =>
      PSEUDO_FRAMES.has(frame.functionName) ? frame.functionName : place(frame.url).replace(/\/[^/]+\.ts$/, '/'),
    top,
  );

/** The share of the profiled time the process had nothing to do. */
export function idlePercent(profiles: CpuProfile[]): number {
  let idle = 0;
  let total = 0;
  for (const profile of profiles) {
    const idleIds = new Set(
      profile.nodes.filter((node) => node.callFrame.functionName === '(idle)').map((node) => node.id),
    );
    profile.samples.forEach((id, index) => {
      total += profile.timeDeltas[index] ?? 0;
      if (idleIds.has(id)) idle += profile.timeDeltas[index] ?? 0;
    });
  }
  return total ? Math.round((idle / total) * 1000) / 10 : 0;
}

/** The profiles written in a directory, by the service that wrote them (`<service>-<pid>.cpuprofile`). */
export function readProfiles(dir: string): Map<string, CpuProfile[]> {
  const byService = new Map<string, CpuProfile[]>();
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'))) {
    const service = file.replace(/-\d+\.cpuprofile$/, '');
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    byService.set(service, [...(byService.get(service) ?? []), profile]);
  }
  return byService;
}
