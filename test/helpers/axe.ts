/**
 * Runs axe-core in a Playwright page and returns its violations, each with the elements it found. The
 * script is evaluated rather than added as a tag: the admin's Content-Security-Policy (script-src 'self')
 * rightly refuses an inline script, and the page under test keeps its real policy.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SCRIPT = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

type AxeViolation = { id: string; impact: string | null; help: string; targets: string[] };

/** The page's violations of every rule axe runs by default, apart from the ones named in `disabledRules`. */
export async function axeViolations(page: Page, disabledRules: readonly string[] = []): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SCRIPT);
  return page.evaluate(async (disabled) => {
    const { axe } = window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: any[]; passes: unknown[] }> } };
    const rules = Object.fromEntries(disabled.map((id) => [id, { enabled: false }]));
    const { violations, passes } = await axe.run(document, { rules, resultTypes: ['violations'] });
    // A page where no rule passed was not checked at all (axe missing or the document empty).
    if (passes.length === 0) throw new Error(`axe passed no rule on ${location.pathname}`);
    return violations.map((v) => ({ id: v.id, impact: v.impact ?? null, help: v.help, targets: v.nodes.slice(0, 5).map((n: any) => String(n.target)) }));
  }, disabledRules);
}
