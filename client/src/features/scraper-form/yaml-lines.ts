/**
 * Finds where in a definition's YAML text a problem is: the line of the key or item that a server
 * path (fields.price, urls.0) names, and the lines of syntax errors, so the editor can mark them.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, stringify, type Node } from 'yaml';

/** A problem placed on a line of the text (1-based), or on the definition as a whole (line null). */
export type LineProblem = { line: number | null; path: string; message: string };

/** The YAML a stored definition is edited as. */
export function definitionToYaml(config: unknown): string {
  if (config == null || (typeof config === 'object' && Object.keys(config).length === 0)) return '';
  return stringify(config, { lineWidth: 0 });
}

/** Syntax errors of the text, each on its line; none when the YAML parses. */
export function yamlSyntaxProblems(text: string): LineProblem[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  return doc.errors.map((error) => ({
    line: error.linePos?.[0].line ?? null,
    path: '',
    // yaml repeats the position and quotes the source after the first line; the line is shown apart.
    message: error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
  }));
}

/**
 * The line a dotted path into the definition starts on: the key's line in a mapping, the item's in a
 * sequence. A path that goes past what the text holds (a key the server found missing) ends at the
 * deepest part that exists, which is where the missing piece belongs.
 */
export function lineOfPath(text: string, path: string): number | null {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length) return null;
  let node: Node | null = doc.contents as Node | null;
  let offset: number | null = null;
  for (const part of path ? path.split('.') : []) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === part);
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = (pair.value as Node | null) ?? null;
    } else if (isSeq(node)) {
      const item = node.items[Number(part)] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset == null ? null : lineCounter.linePos(offset).line;
}
