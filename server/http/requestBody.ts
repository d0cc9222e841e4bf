/**
 * What a request body may cost, decided before the work. Its size by caller, from Content-Length
 * before a byte is read: runners send log and product batches of up to 72 MB, people and tools up
 * to 1 MB, and a caller without credentials 64 KB. Its shape, before JSON.parse: a body of a few
 * megabytes of `{}` would otherwise become millions of objects, so objects and arrays, values and
 * nesting are counted first. A request Yoga cannot read (malformed JSON, form or query string) is
 * a 400, never a 500.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError } from 'graphql';
import type { Principal } from '../auth/principal.ts';
import { PLAIN_HOST, REFUSAL_HEADERS } from './securityHeaders.ts';

/** 1000 log lines of 64 KiB, the largest batch a runner may send. */
const MAX_BODY_BYTES = 72 * 1024 * 1024;
const SIGNED_IN_BODY_BYTES = 1024 * 1024;
const ANONYMOUS_BODY_BYTES = 64 * 1024;

/** Far above any operation of the API (a batch of 1000 lines is ~1000 objects and ~3000 values). */
const MAX_JSON_CONTAINERS = 20_000;
const MAX_JSON_VALUES = 200_000;
const MAX_JSON_DEPTH = 64;

function bodyLimitFor(principal: Principal): number {
  if (principal.kind === 'runner') return MAX_BODY_BYTES;
  return principal.kind === 'anonymous' ? ANONYMOUS_BODY_BYTES : SIGNED_IN_BODY_BYTES;
}

const badRequest = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const OPEN_BRACKET = 91;
const CLOSE_BRACE = 125;
const CLOSE_BRACKET = 93;
const COMMA = 44;

/** Counts what JSON.parse would build, outside strings; null when within the bounds, else what is over. */
function jsonShapeProblem(text: string): string | null {
  let containers = 0;
  let values = 0;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Skip the string: to the next quote that no backslash escapes.
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === BACKSLASH) i++;
        else if (s === QUOTE) break;
      }
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++containers > MAX_JSON_CONTAINERS) return `more than ${MAX_JSON_CONTAINERS} objects and arrays`;
      if (++depth > MAX_JSON_DEPTH) return `objects and arrays nested deeper than ${MAX_JSON_DEPTH}`;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    } else if (c === COMMA && ++values > MAX_JSON_VALUES) {
      return `more than ${MAX_JSON_VALUES} values`;
    }
  }
  return null;
}

/** A JSON text parsed within the bounds above. */
function parseJsonBody(text: string): unknown {
  const problem = jsonShapeProblem(text);
  if (problem) throw badRequest(`The request body holds ${problem}`);
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('The request body is not valid JSON');
  }
}

type Parser = (request: Request) => unknown;

const isJson = (request: Request) => {
  const type = request.headers.get('content-type')?.split(',')[0]?.split(';')[0]?.trim();
  return request.method === 'POST' && (type === 'application/json' || type === 'application/graphql+json');
};

/** Yoga plugin: JSON bodies parsed as above; any other parser's failure to read a request answered 400. */
export function useBoundedRequestParsing() {
  return {
    onRequestParse({ request, requestParser, setRequestParser }: { request: Request; requestParser?: Parser; setRequestParser: (parser: Parser) => void }) {
      if (isJson(request)) {
        setRequestParser(async (incoming: Request) => {
          const body = parseJsonBody(await incoming.text());
          if (body === null || typeof body !== 'object') throw badRequest('The request body must be a JSON object (or an array of them)');
          return body;
        });
        return;
      }
      if (!requestParser) return;
      const parse = requestParser;
      setRequestParser(async (incoming: Request) => {
        try {
          return await parse(incoming);
        } catch (error) {
          if (error instanceof GraphQLError) throw error;
          throw badRequest(`The request cannot be read: ${(error as Error).message.slice(0, 200)}`);
        }
      });
    },
  };
}

/**
 * A refused body that some caller may send is read and dropped (never kept) after the answer, on a
 * connection kept open: a client still sending it then gets the answer, where a closed connection
 * would fail its upload with a reset first. A larger one, which no caller may send, ends its
 * connection at once.
 */
const DRAINED_BODY_BYTES = MAX_BODY_BYTES;

const refuse = (req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string) => {
  const length = Number(req.headers['content-length'] ?? 0);
  const drain = req.headers['transfer-encoding'] === undefined && length <= DRAINED_BODY_BYTES;
  res.writeHead(status, { ...REFUSAL_HEADERS, 'content-type': 'application/json', ...(drain ? {} : { connection: 'close' }) });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
};

/**
 * Decides, before any of the body is read, whether a GraphQL request may be served: it has a usable
 * Host and a declared length within what its caller may send. The caller is looked up (one query)
 * only for bodies over the anonymous limit, and handed on so that it is not looked up twice.
 * Resolves to the request's server context, or null when it was answered here.
 */
export async function admitGraphQLRequest(
  req: IncomingMessage,
  res: ServerResponse,
  whoIsCalling: () => Promise<Principal>,
): Promise<{ principal?: Principal } | null> {
  if (req.headers.host !== undefined && !PLAIN_HOST.test(req.headers.host)) {
    refuse(req, res, 400, 'BAD_REQUEST', 'The Host header is not a host name or address');
    return null;
  }
  // A chunked body has no length to check up front and would be read whole: GraphQL clients send a length.
  if (req.headers['transfer-encoding'] !== undefined && req.headers['content-length'] === undefined) {
    refuse(req, res, 411, 'LENGTH_REQUIRED', 'Send the request body with a Content-Length');
    return null;
  }
  const length = Number(req.headers['content-length'] ?? 0);
  if (length > MAX_BODY_BYTES) {
    refuse(req, res, 413, 'PAYLOAD_TOO_LARGE', `Request body larger than ${MAX_BODY_BYTES} bytes`);
    return null;
  }
  if (length <= ANONYMOUS_BODY_BYTES) return {};
  const principal = await whoIsCalling();
  const limit = bodyLimitFor(principal);
  if (length > limit) {
    const who = principal.kind === 'anonymous' ? 'without credentials' : `from a${principal.kind === 'admin' ? 'n' : ''} ${principal.kind}`;
    refuse(req, res, 413, 'PAYLOAD_TOO_LARGE', `Request body larger than ${limit} bytes, the most a request ${who} may send`);
    return null;
  }
  return { principal };
}
