/**
 * A paymesh process's own CPU time as it reports it on `/metrics` (prom-client's
 * `process_cpu_seconds_total`): what the benchmark attributes to each service.
 */
export async function metricsCpuSeconds(baseUrl: string): Promise<number> {
  const response = await fetch(new URL("/metrics", baseUrl));
  if (!response.ok) throw new Error(`${baseUrl}/metrics answered ${response.status}`);
  const match = /^process_cpu_seconds_total(?:\{[^}]*\})? ([0-9.eE+-]+)$/m.exec(await response.text());
  if (match === null) throw new Error(`${baseUrl}/metrics has no process_cpu_seconds_total`);
  return Number(match[1]);
}
