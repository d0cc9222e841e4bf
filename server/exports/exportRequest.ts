/**
 * What an export is asked for, independent of how it was asked: the GraphQL fields build one and
 * print its path (exportPath), the HTTP endpoints parse one from a path and its query string
 * (parseExportRequest). A single-use link is bound to the path printed here.
 */
import { MAX_LABEL_LENGTH } from '../../contract/limits.ts';
import { LOG_LEVELS, type LogLevelName } from '../../contract/logLevels.ts';
import type { RunStatus, TriggeredBy } from '../db/generated/prisma/enums.ts';
import type { ProductFilter } from '../products/productFilter.ts';
import { MAX_PRODUCT_SEARCH_LENGTH, PRODUCT_SORTS, SORT_DIRECTIONS, type ProductSort, type SortDirection } from '../products/productSort.ts';

type RunExportFilter = { scraperId: number | null; status: RunStatus | null; triggeredBy: TriggeredBy | null; since: Date | null };

export type ExportRequest =
  | { kind: 'products'; format: 'csv' | 'ndjson'; filter: ProductFilter; sort: ProductSort; direction: SortDirection }
  | { kind: 'runs'; format: 'csv' | 'ndjson'; filter: RunExportFilter }
  | { kind: 'runLogs'; format: 'ndjson' | 'txt'; runId: number; minLevel: LogLevelName | null; contains: string | null };

const RUN_STATUSES = ['QUEUED', 'RUNNING', 'SUCCESS', 'WARNING', 'ERROR', 'CANCELLED'] as const satisfies readonly RunStatus[];
const TRIGGERS = ['MANUAL', 'SCHEDULER', 'API'] as const satisfies readonly TriggeredBy[];
/** As jobLogs' contains. */
export const MAX_CONTAINS_LENGTH = 1000;

/** The query-string parameter that carries a single-use secret; it is not part of what the link is bound to. */
export const TICKET_PARAMETER = 'ticket';

/** The path and query string of an export: parameters in a fixed order, defaults and nulls left out. */
export function exportPath(request: ExportRequest): string {
  const query = new URLSearchParams();
  const put = (name: string, value: string | number | boolean | Date | null | undefined) => {
    if (value !== null && value !== undefined) query.append(name, value instanceof Date ? value.toISOString() : String(value));
  };
  let path: string;
  if (request.kind === 'products') {
    path = `/export/products.${request.format}`;
    const f = request.filter;
    put('sourceId', f.sourceId);
    put('scraperId', f.scraperId);
    put('category', f.category);
    put('flagged', f.flagged);
    put('published', f.published);
    put('gone', f.gone);
    put('search', f.search);
    if (request.sort !== 'NAME') put('sort', request.sort);
    if (request.direction !== 'ASC') put('direction', request.direction);
  } else if (request.kind === 'runs') {
    path = `/export/runs.${request.format}`;
    put('scraperId', request.filter.scraperId);
    put('status', request.filter.status);
    put('triggeredBy', request.filter.triggeredBy);
    put('since', request.filter.since);
  } else {
    path = `/export/runs/${request.runId}/logs.${request.format}`;
    put('minLevel', request.minLevel);
    put('contains', request.contains);
  }
  const search = query.toString();
  return search ? `${path}?${search}` : path;
}

/** A parameter the export cannot take: answered 400 before any work, naming it. */
export class ExportParameterError extends Error {
  readonly parameter: string;

  constructor(parameter: string, message: string) {
    super(`${parameter}: ${message}`);
    this.parameter = parameter;
    this.name = 'ExportParameterError';
  }
}

const PATHS: Array<{ pattern: RegExp; kind: ExportRequest['kind'] }> = [
  { pattern: /^\/export\/products\.(csv|ndjson)$/, kind: 'products' },
  { pattern: /^\/export\/runs\.(csv|ndjson)$/, kind: 'runs' },
  { pattern: /^\/export\/runs\/([^/]+)\/logs\.(ndjson|txt)$/, kind: 'runLogs' },
];

/** Whether a path is one of the export endpoints (whatever its parameters). */
export function isExportPath(path: string): boolean {
  return path === '/export' || path.startsWith('/export/');
}

/**
 * The export a path and query string ask for; null when the path is no export. Every parameter is
 * checked (unknown, repeated and malformed ones are refused) before anything is read.
 */
export function parseExportRequest(path: string, query: URLSearchParams): ExportRequest | null {
  const matched = PATHS.map(({ pattern, kind }) => ({ kind, match: pattern.exec(path) })).find((m) => m.match);
  if (!matched?.match) return null;
  const params = new Parameters(query);
  let request: ExportRequest;
  if (matched.kind === 'products') {
    request = {
      kind: 'products',
      format: matched.match[1] as 'csv' | 'ndjson',
      filter: {
        sourceId: params.id('sourceId'),
        scraperId: params.id('scraperId'),
        category: params.text('category', MAX_LABEL_LENGTH),
        flagged: params.boolean('flagged'),
        published: params.boolean('published'),
        gone: params.boolean('gone'),
        search: params.text('search', MAX_PRODUCT_SEARCH_LENGTH),
      },
      sort: params.oneOf('sort', PRODUCT_SORTS) ?? 'NAME',
      direction: params.oneOf('direction', SORT_DIRECTIONS) ?? 'ASC',
    };
  } else if (matched.kind === 'runs') {
    request = {
      kind: 'runs',
      format: matched.match[1] as 'csv' | 'ndjson',
      filter: {
        scraperId: params.id('scraperId'),
        status: params.oneOf('status', RUN_STATUSES),
        triggeredBy: params.oneOf('triggeredBy', TRIGGERS),
        since: params.instant('since'),
      },
    };
  } else {
    const runId = idValue(decodeURIComponentSafe(matched.match[1]!));
    if (runId === null) throw new ExportParameterError('id', 'must be a run id (a positive integer)');
    request = {
      kind: 'runLogs',
      format: matched.match[2] as 'ndjson' | 'txt',
      runId,
      minLevel: params.oneOf('minLevel', LOG_LEVELS),
      contains: params.text('contains', MAX_CONTAINS_LENGTH) || null,
    };
  }
  params.refuseUnread();
  return request;
}

/** The query string read one parameter at a time; whatever is left unread at the end is refused. */
class Parameters {
  private readonly unread: Set<string>;
  private readonly query: URLSearchParams;

  constructor(query: URLSearchParams) {
    this.query = query;
    this.unread = new Set([...query.keys()].filter((name) => name !== TICKET_PARAMETER));
    if (query.getAll(TICKET_PARAMETER).length > 1) throw new ExportParameterError(TICKET_PARAMETER, 'must be given at most once');
  }

  private raw(name: string): string | null {
    this.unread.delete(name);
    const values = this.query.getAll(name);
    if (values.length > 1) throw new ExportParameterError(name, 'must be given at most once');
    return values[0] ?? null;
  }

  id(name: string): number | null {
    const value = this.raw(name);
    if (value === null) return null;
    const id = idValue(value);
    if (id === null) throw new ExportParameterError(name, 'must be an id (a positive integer)');
    return id;
  }

  text(name: string, max: number): string | null {
    const value = this.raw(name);
    if (value !== null && value.length > max) throw new ExportParameterError(name, `must be at most ${max} characters`);
    if (value?.includes('\u0000')) throw new ExportParameterError(name, 'must not contain NUL characters');
    return value;
  }

  boolean(name: string): boolean | null {
    const value = this.raw(name);
    if (value === null) return null;
    if (value !== 'true' && value !== 'false') throw new ExportParameterError(name, 'must be true or false');
    return value === 'true';
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T | null {
    const value = this.raw(name);
    if (value === null) return null;
    if (!allowed.includes(value as T)) throw new ExportParameterError(name, `must be one of ${allowed.join(', ')}`);
    return value as T;
  }

  instant(name: string): Date | null {
    const value = this.raw(name);
    if (value === null) return null;
    // An RFC 3339 date-time with its offset, as the DateTime scalar takes; a bare date is ambiguous.
    const date = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,9})?)?(Z|[+-]\d\d:\d\d)$/i.test(value) ? new Date(value) : null;
    if (!date || Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1) {
      throw new ExportParameterError(name, 'must be an RFC 3339 date-time with an offset, such as 2026-12-06T00:00:00Z');
    }
    return date;
  }

  refuseUnread(): void {
    const [first] = this.unread;
    if (first !== undefined) throw new ExportParameterError(first.slice(0, 64), 'is not a parameter of this export');
  }
}

function idValue(value: string): number | null {
  if (!/^[1-9][0-9]{0,9}$/.test(value)) return null;
  const id = Number(value);
  return id <= 2_147_483_647 ? id : null;
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
