/**
 * The parsed-document and parse-error caches of Yoga, bounded by the memory their entries hold and
 * not only by their number: a parsed document keeps its source text and about half a kilobyte per
 * token (its tokens, nodes and locations), so a thousand distinct documents near the size limit
 * would hold gigabytes in an entry-count cache. Least recently used entries leave first.
 */
import type { DocumentNode } from 'graphql';

/** Measured with graphql 16: a parsed document retains about this much per token beside its text. */
const BYTES_PER_TOKEN = 512;

export class ByteBoundedCache<V> {
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  private bytes = 0;

  private readonly maxBytes: number;
  private readonly maxEntries: number;
  private readonly sizeOf: (key: string, value: V) => number;

  constructor(options: { maxBytes: number; maxEntries: number; sizeOf: (key: string, value: V) => number }) {
    this.maxBytes = options.maxBytes;
    this.maxEntries = options.maxEntries;
    this.sizeOf = options.sizeOf;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The estimated bytes held. */
  get heldBytes(): number {
    return this.bytes;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // Map keeps insertion order: moving the entry to the end makes the first one the least recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V): void {
    const bytes = this.sizeOf(key, value);
    const previous = this.entries.get(key);
    if (previous) {
      this.entries.delete(key);
      this.bytes -= previous.bytes;
    }
    // One entry may not take more than an eighth of the budget: it would push out everything else.
    if (bytes > this.maxBytes / 8) return;
    this.entries.set(key, { value, bytes });
    this.bytes += bytes;
    while (this.bytes > this.maxBytes || this.entries.size > this.maxEntries) {
      const [oldestKey, oldest] = this.entries.entries().next().value!;
      this.entries.delete(oldestKey);
      this.bytes -= oldest.bytes;
    }
  }
}

/** Source text (two bytes a character at worst) plus what its parsed form holds per token. */
export function documentBytes(source: string, document: DocumentNode): number {
  let tokens = 0;
  for (let token = document.loc?.startToken ?? null; token; token = token.next) tokens++;
  // Parsed without locations there are no tokens to count: take one per four characters.
  if (!document.loc) tokens = Math.ceil(source.length / 4);
  return source.length * 2 + tokens * BYTES_PER_TOKEN;
}

/** A parse error keeps the source it failed on and little else. */
function parseErrorBytes(source: string): number {
  return source.length * 2 + 1024;
}

/** The caches a Yoga server parses and validates through: 8 MB of documents (the admin and a runner use about 2), 1 MB of parse errors. */
export function boundedParserCache() {
  return {
    documentCache: new ByteBoundedCache<DocumentNode>({ maxBytes: 8 * 1024 * 1024, maxEntries: 1000, sizeOf: documentBytes }),
    errorCache: new ByteBoundedCache<unknown>({ maxBytes: 1024 * 1024, maxEntries: 1000, sizeOf: parseErrorBytes }),
    // Keyed weakly by the parsed document: it lives as long as the document's cache entry.
    validationCache: true,
  };
}

/**
 * An error V8 has not yet formatted the stack of keeps every frame's function and receiver alive:
 * for a validation error, the visitors and the ValidationContext with the whole document and its
 * caches; for a parse error, the parser and every token it read. Such errors are kept (Yoga caches
 * them per document), so each is formatted at once, which lets those objects go.
 */
export function useDetachedErrorStacks() {
  const detach = (errors: readonly unknown[]) => {
    for (const error of errors) if (error instanceof Error) void error.stack;
  };
  return {
    onParse() {
      return ({ result }: { result: unknown }) => {
        if (result instanceof Error) detach([result]);
      };
    },
    onValidate() {
      return ({ result }: { result: readonly unknown[] }) => detach(result);
    },
  };
}
