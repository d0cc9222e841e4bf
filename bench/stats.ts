/** The few statistics the benchmark reports: percentiles of latency samples, rates, and pacing. */

export type Latency = { samples: number; p50: number; p99: number; max: number };

/** Nearest-rank percentiles, in milliseconds rounded to 0.01. */
export function latency(samplesMs: number[]): Latency {
  if (samplesMs.length === 0) return { samples: 0, p50: Number.NaN, p99: Number.NaN, max: Number.NaN };
  const sorted = Float64Array.from(samplesMs).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return { samples: sorted.length, p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1]!) };
}

export const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Calls tick at a steady rate until stopped, catching up after a late timer rather than drifting. */
export function every(perSecond: number, tick: (index: number) => void): { stop(): void } {
  const interval = 1000 / perSecond;
  const started = performance.now();
  let index = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const loop = () => {
    if (stopped) return;
    const due = Math.floor((performance.now() - started) / interval) + 1;
    while (index < due) tick(index++);
    timer = setTimeout(loop, Math.max(0, started + index * interval - performance.now()));
  };
  loop();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** Samples a figure (the server's RSS) until stopped and keeps its maximum. */
export function peakOf(read: () => Promise<number>, everyMs = 200): { stop(): Promise<number> } {
  let peak = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      peak = Math.max(peak, await read());
      await sleep(everyMs);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return Math.max(peak, await read());
    },
  };
}
