/**
 * Reads the scraper definitions of a folder (*.yaml, *.yml, *.json), fills in `${NAME}` placeholders
 * (such as `${FIXTURES_URL}`, the address of the demo sites) and validates each one.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DefinitionError, parseDefinition, type ScraperDefinition } from '../../contract/definitionSchema.ts';

export type Placeholders = Record<string, string>;

/** The folder of the definitions shipped with Scrapedeck. */
export const BUILT_IN_DEFINITIONS = path.dirname(new URL(import.meta.url).pathname);

function fillPlaceholders(text: string, placeholders: Placeholders, where: string): string {
  return text.replace(/\$\{([A-Z0-9_]+)\}/g, (_match, name: string) => {
    const value = placeholders[name];
    if (value === undefined) throw new DefinitionError([{ path: '', message: `placeholder \${${name}} has no value` }], where);
    return value;
  });
}

/** Parses one definition's text (YAML, of which JSON is a subset). */
export function parseDefinitionText(text: string, placeholders: Placeholders, where: string): ScraperDefinition {
  let raw: unknown;
  try {
    raw = parseYaml(fillPlaceholders(text, placeholders, where));
  } catch (error) {
    if (error instanceof DefinitionError) throw error;
    throw new DefinitionError([{ path: '', message: `not valid YAML: ${(error as Error).message}` }], where);
  }
  return parseDefinition(raw, where);
}

export async function loadDefinitions(dir: string, placeholders: Placeholders = {}): Promise<ScraperDefinition[]> {
  const files = (await readdir(dir)).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  const definitions: ScraperDefinition[] = [];
  for (const file of files) {
    const text = await readFile(path.join(dir, file), 'utf8');
    definitions.push(parseDefinitionText(text, placeholders, file));
  }
  const slugs = new Set<string>();
  for (const d of definitions) {
    if (slugs.has(d.slug)) throw new DefinitionError([{ path: 'slug', message: `${d.slug} is defined twice` }], dir);
    slugs.add(d.slug);
  }
  return definitions;
}
