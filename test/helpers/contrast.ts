/**
 * Checks WCAG AA text contrast in a page: every visible text against the first opaque background
 * behind it (4.5:1, or 3:1 for large text). Returns one line per failing element.
 */
import type { Page } from 'playwright-core';

export function contrastProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    type Rgba = { r: number; g: number; b: number; a: number };
    const parse = (color: string): Rgba | null => {
      const match = color.match(/rgba?\(([^)]+)\)/);
      if (!match) return null;
      const [r = 0, g = 0, b = 0, a = 1] = match[1]!.split(/[\s,/]+/).filter(Boolean).map(Number);
      return { r, g, b, a };
    };
    const channel = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    const luminance = (c: Rgba) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
    const background = (el: Element | null): Rgba => {
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c && c.a > 0.5) return c;
      }
      return { r: 255, g: 255, b: 255, a: 1 };
    };
    const problems: string[] = [];
    const checked = new Set<Element>();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const text = walker.currentNode.textContent?.trim();
      const el = walker.currentNode.parentElement;
      if (!text || !el || checked.has(el)) continue;
      checked.add(el);
      const style = getComputedStyle(el);
      const rect = el.getBoundingClientRect();
      // Hidden, or visually hidden for screen readers only.
      if (style.visibility === 'hidden' || rect.width <= 1 || rect.height <= 1) continue;
      const fg = parse(style.color);
      if (!fg) continue;
      const [light, dark] = [luminance(fg), luminance(background(el))].sort((x, y) => y - x) as [number, number];
      const ratio = (light + 0.05) / (dark + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (Number(style.fontWeight) >= 700 && size >= 18.66);
      const needed = large ? 3 : 4.5;
      if (ratio < needed) problems.push(`${el.tagName.toLowerCase()}.${el.className} "${text.slice(0, 40)}": ${ratio.toFixed(2)} < ${needed}`);
    }
    return problems;
  });
}
