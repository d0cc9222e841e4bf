/**
 * Reads the relative links of a Markdown document and says which of them lead nowhere: a missing
 * file, or an anchor that no heading of the target makes (anchors as GitHub renders them).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export type MarkdownLink = { line: number; target: string };

/** Code blocks and code spans show link syntax without being links. */
function withoutCode(text: string): string {
  return text
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, (block) => block.replace(/[^\n]/g, ' '))
    .replace(/`[^`\n]*`/g, (span) => ' '.repeat(span.length));
}

export function markdownLinks(text: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  withoutCode(text)
    .split('\n')
    .forEach((content, index) => {
      for (const match of content.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
        links.push({ line: index + 1, target: match[1]! });
      }
    });
  return links;
}

function isRelative(target: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('//');
}

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces as dashes, repeats numbered. */
export function headingAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const headings = text
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '')
    .split('\n')
    .flatMap((line) => /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.slice(1, 2) ?? []);
  for (const heading of headings) {
    const rendered = heading.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = rendered
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** The relative links of one Markdown file whose file or anchor does not exist, as readable strings. */
export function brokenLinks(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const broken: string[] = [];
  for (const { line, target } of markdownLinks(text).filter((link) => isRelative(link.target))) {
    const [pathPart = '', anchor] = target.split('#', 2);
    const resolved = pathPart === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(pathPart));
    const where = `${path.basename(file)}:${line} → ${target}`;
    if (!existsSync(resolved)) {
      broken.push(`${where}: no such file`);
      continue;
    }
    if (anchor === undefined || !resolved.endsWith('.md') || statSync(resolved).isDirectory()) continue;
    if (!headingAnchors(readFileSync(resolved, 'utf8')).has(anchor)) broken.push(`${where}: no such heading`);
  }
  return broken;
}
