/**
 * Sorts what the server refused (ValidationError issues with dotted paths into the input, and the
 * typed errors of createScraper and updateScraper) to the form field each belongs to; the problems of
 * the definition keep their path inside it, so that the editor can place them on their line.
 */
import { lineOfPath, type LineProblem } from './yaml-lines';

export type FieldName = 'name' | 'slug' | 'source' | 'sourceName' | 'sourceUrl' | 'cron' | 'timezone' | 'maxRetries' | 'missedRunPolicy' | 'enabled' | 'form';

export type FormProblems = { fields: Partial<Record<FieldName, string[]>>; config: LineProblem[] };

export const NO_PROBLEMS: FormProblems = { fields: {}, config: [] };

const DIRECT: Record<string, FieldName> = {
  name: 'name',
  slug: 'slug',
  sourceId: 'source',
  source: 'source',
  'source.name': 'sourceName',
  'source.url': 'sourceUrl',
  cron: 'cron',
  timezone: 'timezone',
  maxRetries: 'maxRetries',
  missedRunPolicy: 'missedRunPolicy',
  enabled: 'enabled',
};

/** Where a server issue path (input.config.fields.price, input.source.url) is shown. */
function placeOf(path: string): { field: FieldName } | { configPath: string } {
  const inner = path.replace(/^input\.?/, '');
  if (inner === 'config' || inner.startsWith('config.')) return { configPath: inner.slice('config.'.length) };
  if (DIRECT[inner]) return { field: DIRECT[inner] };
  if (inner.startsWith('source.')) return { field: 'source' };
  return { field: 'form' };
}

/** Places each issue at its field, and each definition issue on the line of the YAML text it names. */
export function placeIssues(issues: ReadonlyArray<{ path: string; message: string }>, yaml: string): FormProblems {
  const problems: FormProblems = { fields: {}, config: [] };
  for (const issue of issues) {
    const place = placeOf(issue.path);
    if ('field' in place) (problems.fields[place.field] ??= []).push(issue.message);
    else problems.config.push({ path: place.configPath, line: lineOfPath(yaml, place.configPath), message: issue.message });
  }
  return problems;
}

/** A refusal that is not a ValidationError: a taken slug or source name, or any other typed error. */
export function placeError(error: { __typename: string; message: string }): FormProblems {
  if (error.__typename === 'SlugTakenError') return { fields: { slug: [error.message] }, config: [] };
  if (error.__typename === 'SourceNameTakenError') return { fields: { sourceName: [error.message] }, config: [] };
  return { fields: { form: [error.message] }, config: [] };
}

export function problemCount(problems: FormProblems): number {
  return Object.values(problems.fields).reduce((sum, list) => sum + (list?.length ?? 0), 0) + problems.config.length;
}
