/** One sample of Prometheus' text exposition format: `name{label="value",…} 12`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE_LINE = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/** The samples of a `/metrics` answer; comments (`# HELP`, `# TYPE`) and blank lines are skipped. */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = SAMPLE_LINE.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(LABEL)].map(([, key, value]) => [key!, value!]));
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of a metric over all its label sets (0 when the metric has no sample yet). */
export const total = (samples: Sample[], name: string): number =>
  samples.filter((sample) => sample.name === name).reduce((sum, sample) => sum + sample.value, 0);

/** A counter's value per value of one label, e.g. turns by outcome. */
export function byLabel(samples: Sample[], name: string, label: string): Record<string, number> {
  const values: Record<string, number> = {};
  for (const sample of samples) {
    if (sample.name !== name) continue;
    const key = sample.labels[label] ?? '';
    values[key] = (values[key] ?? 0) + sample.value;
  }
  return values;
}

/** Fetches and parses one process's `/metrics`. */
export async function scrape(metricsUrl: string): Promise<Sample[]> {
  const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`${metricsUrl} answered ${response.status}`);
  return parseMetrics(await response.text());
}
