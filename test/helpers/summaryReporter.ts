/**
 * Ends the output with how long each tier took and one plain line, `N passed, N failed, N skipped`,
 * that any CI can read. Tiers run side by side, so a tier's time is from its first file's start to
 * its last file's end.
 */
import type { Reporter, TestModule } from 'vitest/node';

type Span = { start: number; end: number };

export default class SummaryReporter implements Reporter {
  /** When each file's tests began (its import done) and when it ended, by module id. */
  private readonly began = new Map<string, number>();
  private readonly spans = new Map<string, Span>();

  onTestModuleStart(module: TestModule) {
    this.began.set(module.id, performance.now());
  }

  onTestModuleEnd(module: TestModule) {
    const began = this.began.get(module.id);
    if (began === undefined) return;
    // A file is reported as started once it is imported: its setup and import come before that.
    const d = module.diagnostic();
    this.spans.set(module.id, { start: began - (d.environmentSetupDuration + d.prepareDuration + d.setupDuration + d.collectDuration), end: performance.now() });
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>) {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const tiers = new Map<string, { files: number; tests: number } & Span>();
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
      const span = this.spans.get(module.id);
      tiers.set(name, {
        files: tier.files + 1,
        tests: tier.tests + tests.length,
        start: Math.min(tier.start, span?.start ?? Infinity),
        end: Math.max(tier.end, span?.end ?? -Infinity),
      });
    }
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    const lines = [...tiers].map(([name, t]) => `${name}: ${plural(t.files, 'file')}, ${plural(t.tests, 'test')} in ${(Math.max(0, t.end - t.start) / 1000).toFixed(1)} s\n`);
    process.stdout.write(`\n${lines.join('')}${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
