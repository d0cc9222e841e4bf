/**
 * Ends the output with how long each tier took and one plain line, `N passed, N failed, N skipped`,
 * that any CI can read. Tiers run side by side, so a tier's time is from its first file's start to
 * its last file's end.
 */
import type { Reporter, TestModule } from 'vitest/node';

type Tier = { files: number; tests: number; start: number; end: number };

/** When a file started, and when it ended: setting up, importing and running its tests and hooks. */
function span(module: TestModule): { start: number; end: number } {
  const start = module.task.result?.startTime;
  // A file that never started (filtered out, or the run was cancelled) takes no time.
  if (start === undefined) return { start: Infinity, end: -Infinity };
  const d = module.diagnostic();
  return { start, end: start + d.environmentSetupDuration + d.prepareDuration + d.setupDuration + d.collectDuration + d.duration };
}

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>) {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const tiers = new Map<string, Tier>();
    for (const module of modules) {
      const tests = [...module.children.allTests()];
      for (const test of tests) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      const name = module.project.name || 'tests';
      const tier = tiers.get(name) ?? { files: 0, tests: 0, start: Infinity, end: -Infinity };
      const { start, end } = span(module);
      tiers.set(name, { files: tier.files + 1, tests: tier.tests + tests.length, start: Math.min(tier.start, start), end: Math.max(tier.end, end) });
    }
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    const lines = [...tiers].map(([name, t]) => `${name}: ${plural(t.files, 'file')}, ${plural(t.tests, 'test')} in ${(Math.max(0, t.end - t.start) / 1000).toFixed(1)} s\n`);
    process.stdout.write(`\n${lines.join('')}${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
