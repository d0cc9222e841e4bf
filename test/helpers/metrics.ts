/** Scrapes a server's /metrics like Prometheus does and reads samples by name and labels. */
export type MetricSamples = {
  status: number;
  text: string;
  contentType: string | null;
  value(name: string, labels?: Record<string, string>): number | undefined;
};

export async function scrapeMetrics(port: number): Promise<MetricSamples> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  const text = await response.text();
  const samples = new Map<string, number>();
  const key = (name: string, labels: Record<string, string>) => `${name}${JSON.stringify(Object.entries(labels).sort())}`;
  for (const line of response.ok ? text.split('\n') : []) {
    if (!line || line.startsWith('#')) continue;
    const match = line.match(/^([a-zA-Z_:][\w:]*)(\{.*\})? (\S+)$/);
    if (!match) throw new Error(`not Prometheus text format: ${line}`);
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    delete labels.service;
    samples.set(key(match[1]!, labels), Number(match[3]));
  }
  return { status: response.status, text, contentType: response.headers.get('content-type'), value: (name, labels = {}) => samples.get(key(name, labels)) };
}
