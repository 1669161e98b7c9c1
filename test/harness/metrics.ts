import { parseMetrics } from '../../tools/bench/prometheus.js';

/**
 * Reading Prometheus text in tests: the sum of a metric's samples whose labels include `labels`
 * (0 when there is none), so a test can say "this counter moved" without a client library.
 */
export function sampleSum(text: string, name: string, labels: Record<string, string> = {}): number {
  return parseMetrics(text)
    .filter(
      (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    )
    .reduce((sum, sample) => sum + sample.value, 0);
}

export async function scrape(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (!response.ok) throw new Error(`${baseUrl}/metrics answered ${response.status}`);
  return response.text();
}

export async function readiness(
  baseUrl: string,
): Promise<{ status: number; body: { status: string; checks: Record<string, string> } }> {
  const response = await fetch(`${baseUrl}/health/ready`);
  return {
    status: response.status,
    body: (await response.json()) as { status: string; checks: Record<string, string> },
  };
}
