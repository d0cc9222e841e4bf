/**
 * Fuzzes the GraphQL surface of a production server, running as its own process with `npm start`'s
 * heap flags: malformed documents, wrong types and hostile values for every argument of every
 * mutation (and query), huge strings, deep and wide queries, alias, directive and batch floods,
 * distinct multi-megabyte and token-dense documents, and broken HTTP requests. Every case must get a
 * clear answer (a typed result or errors with a message; never a 5xx but the documented 503, a
 * stack, SQL, or a masked "Unexpected error."), /healthz must stay 200 throughout, the process must
 * live, and its memory after a forced collection must come back to within 64 MB of where it began.
 * The generator is seeded (FUZZ_SEED=n to replay another sequence); the number of cases is printed.
 */
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { schema } from '../../server/graphql/schema.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { inspectorUrl, memoryUsage, settledRssMb } from '../helpers/processMemory.ts';
import { insertRunningRun } from '../helpers/runs.ts';
import { seedRunner, seedScraper, seedToken } from '../helpers/seed.ts';
import { TEST_ADMIN_TOKEN } from '../helpers/server.ts';
import { freePort, npmStartProcess, startServerProcess, type ServerProcess } from '../helpers/serverProcess.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
/** What an answer must never contain: stack frames, source paths, SQL and driver messages. */
const LEAKS =
  /\bat \S+ \(|\.ts:\d+|node_modules|\bSELECT\b[\s\S]{0,200}\bFROM\b|INSERT INTO|relation "|violates|duplicate key|prisma|invocation|syntax error at or near|ECONNREFUSED|"stack"/i;

/** mulberry32: small, fast and seedable, so that a failing sequence can be replayed. */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    chance: (p: number) => next() < p,
  };
}
const random = generator(SEED);

const HUGE = 'x'.repeat(300_000);
/** Values of every wrong kind, used in place of any argument or input field. */
const HOSTILE: unknown[] = [
  null,
  0,
  -1,
  2 ** 31,
  2 ** 53 + 2,
  -1e308,
  0.5,
  true,
  '',
  ' ',
  HUGE,
  '\u0000',
  '\uD800',
  'ünïcødé 🚀',
  "' OR '1'='1",
  '1; DROP TABLE run; --',
  '${7*7}{{7*7}}',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '%s%n%x',
  '1e999',
  'NaN',
  [],
  [null],
  [[[[[]]]]],
  Array.from({ length: 5000 }, (_, i) => i),
  {},
  { nested: { deeper: { deepest: [1, 'two', null] } } },
  'SCREAMING_BOGUS',
];

/** Rounds of type-aware random values per mutation and per query: what brings the cases past 10,000. */
const MUTATION_ROUNDS = 500;
const QUERY_ROUNDS = 40;
/** Requests in flight at once. */
const PARALLEL = 8;
/** How much the server's memory may have grown at the end, after a forced collection. */
const RSS_GROWTH_LIMIT_MB = 64;

let db: TestDatabase;
let server: ServerProcess;
let inspector: string;
let rssBefore: number;
let ids: string[];
const credentials: Array<Record<string, string>> = [];

type Outcome = { label: string; problem: string };
const failures: Outcome[] = [];
let cases = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  // As deployed: production masking, no introspection, npm start's heap; rate limits off so that floods reach the resolvers,
  // and a runner's claimRun held at most a second (a fuzzed waitSeconds of 1000 is held as asked, up to the server's limit,
  // which is no error but would outlast the 20 s each case is given).
  server = await startServerProcess({
    databaseUrl: db.url,
    port: await freePort(),
    nodeArgs: [...npmStartProcess().nodeArgs, '--inspect=127.0.0.1:0'],
    env: {
      NODE_ENV: 'production',
      ...npmStartProcess().env,
      LOG_LEVEL: 'fatal',
      RATE_LIMIT_MUTATIONS_PER_MINUTE: '0',
      RATE_LIMIT_IP_MUTATIONS_PER_MINUTE: '0',
      RATE_LIMIT_CONNECTIONS_PER_MINUTE: '0',
      CLAIM_WAIT_MAX_SECONDS: '1',
    },
  });
  inspector = inspectorUrl(server.output());
  // Low runner ids belong to bystanders, so that fuzzed revokeRunner(id) calls rarely hit the fuzzing runner.
  for (let i = 0; i < 5; i++) await seedRunner(db.pool);
  const runner = await seedRunner(db.pool);
  const { scraperId } = await seedScraper(db.pool);
  const jobId = await insertRunningRun(db.pool, scraperId, runner.runnerId, 60);
  ids = [String(scraperId), jobId, '1', '0', '-1', '2147483648', '99999999999999999999', 'abc', ' 1', '1.5', ''];
  credentials.push(
    { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    { 'x-api-key': runner.apiKey },
    { authorization: `Bearer ${(await seedToken(db.pool, 'VIEWER')).token}` },
    {},
    { authorization: 'Bearer sdt_forged', 'x-api-key': 'x'.repeat(10_000) },
  );
  // Warm: the first requests of a process load code and fill pools; memory is measured from here.
  for (let i = 0; i < 50; i++) await fetch(server.httpUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...credentials[i % 3] }, body: json(`{ viewer { role } } # ${i}`) });
  rssBefore = await settledRssMb(server.pid, inspector);
}, 60_000);

afterAll(async () => {
  server?.kill('SIGKILL');
  await server?.exited;
  await db?.drop();
});

// ---- values ---------------------------------------------------------------------------------

/** A value of the right type, as a client would send it. */
function validValue(type: GraphQLInputType, depth = 0): unknown {
  if (isNonNullType(type)) return validValue(type.ofType, depth);
  if (isListType(type)) return depth > 4 ? [] : [validValue(type.ofType, depth + 1)];
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      if (isNonNullType(field.type) || random.chance(0.5)) value[field.name] = validValue(field.type, depth + 1);
    }
    return value;
  }
  switch (type.name) {
    case 'Int':
      return random.pick([1, 0, 10, 1000]);
    case 'Float':
      return 1.5;
    case 'Boolean':
      return random.chance(0.5);
    case 'ID':
      return random.pick(ids);
    case 'DateTime':
      return new Date().toISOString();
    case 'JSON':
      return { fuzz: true };
    default:
      return random.pick(['fuzz', 'a-b_c.d', 'Name 1']);
  }
}

/** A value of roughly the right shape with edges and hostile parts mixed in. */
function fuzzedValue(type: GraphQLInputType, depth = 0): unknown {
  if (random.chance(0.15)) return random.pick(HOSTILE);
  if (isNonNullType(type)) return fuzzedValue(type.ofType, depth);
  if (isListType(type)) {
    // A long list is long in items, each of them plain: long lists of hostile values (70 KB strings,
    // nested lists) would make requests of hundreds of megabytes, which only the document limits see.
    if (random.chance(0.05)) return Array.from({ length: 1500 }, () => (depth > 3 ? null : validValue(type.ofType, depth + 1)));
    return Array.from({ length: random.int(4) }, () => (depth > 3 ? null : fuzzedValue(type.ofType, depth + 1)));
  }
  if (isEnumType(type)) return random.chance(0.8) ? random.pick(type.getValues()).name : random.pick(['bogus', 'DEBUG', 'INFO ', 1]);
  if (isInputObjectType(type)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      if (random.chance(0.85)) value[field.name] = fuzzedValue(field.type, depth + 1);
    }
    if (random.chance(0.1)) value.unknownField = 'surprise';
    return value;
  }
  switch (type.name) {
    case 'Int':
      return random.pick([0, -1, 1, 2147483647, -2147483648, 2147483648, 1.5, 1e21]);
    case 'Float':
      return random.pick([0, -0.0, 1e308, -1e-308, 3.14]);
    case 'ID':
      return random.chance(0.7) ? random.pick(ids) : random.pick([12, -5, 'x'.repeat(500)]);
    case 'DateTime':
      return random.pick(['2026-13-45T99:99:99Z', '0000-01-01T00:00:00Z', '275760-09-13T00:00:00Z', 'yesterday', '1732406400']);
    default:
      return random.pick(['', 'a', 'x'.repeat(65), 'x'.repeat(70_000), 'line\nbreak', 'tab\there', '\u0007bell', 'ok-name']);
  }
}

/** A GraphQL literal for a JS value (enum names stay bare when the type says enum). */
function literal(value: unknown, type?: GraphQLInputType): string {
  if (value === null || value === undefined) return 'null';
  const named = type ? getNamedType(type) : undefined;
  if (typeof value === 'string') return named && isEnumType(named) && /^[_A-Za-z]\w*$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '0';
  if (typeof value === 'boolean') return String(value);
  const inner = type && isNonNullType(type) ? type.ofType : type;
  if (Array.isArray(value)) return `[${value.map((v) => literal(v, inner && isListType(inner) ? inner.ofType : undefined)).join(', ')}]`;
  const fields = inner && isInputObjectType(inner) ? inner.getFields() : {};
  return `{${Object.entries(value as object)
    .map(([k, v]) => `${k}: ${literal(v, fields[k]?.type)}`)
    .join(', ')}}`;
}

const SELECTION = `{ __typename ... on Error { message } }`;

function selectionFor(field: GraphQLField<unknown, unknown>): string {
  const named = getNamedType(field.type);
  return isObjectType(named) || !isScalarType(named) && !isEnumType(named) ? SELECTION : '';
}

/** An operation calling the field with the given argument values, passed as variables. */
function withVariables(operation: 'query' | 'mutation', field: GraphQLField<unknown, unknown>, values: Record<string, unknown>) {
  const args = field.args.filter((a) => a.name in values);
  const definitions = args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const call = args.length ? `(${args.map((a) => `${a.name}: $${a.name}`).join(', ')})` : '';
  return {
    query: `${operation} Fuzz${definitions ? `(${definitions})` : ''} { ${field.name}${call} ${selectionFor(field)} }`,
    variables: values,
  };
}

/** The same with the values written into the document. */
function withLiterals(operation: 'query' | 'mutation', field: GraphQLField<unknown, unknown>, values: Record<string, unknown>) {
  const args = field.args.filter((a) => a.name in values);
  const call = args.length ? `(${args.map((a) => `${a.name}: ${literal(values[a.name], a.type)}`).join(', ')})` : '';
  return { query: `${operation} { ${field.name}${call} ${selectionFor(field)} }`, variables: {} };
}

const validArgs = (args: readonly GraphQLArgument[]) => Object.fromEntries(args.map((a) => [a.name, validValue(a.type)]));

// ---- sending and judging --------------------------------------------------------------------

type Request = { label: string; body: string; headers?: Record<string, string>; method?: string; url?: string };

async function send(request: Request): Promise<void> {
  cases++;
  const problem = await judge(request).catch((error) => `request failed: ${(error as Error).message} ${String((error as Error).cause)}`);
  if (problem) failures.push({ label: request.label, problem: `${problem.slice(0, 400)} <- ${request.body.slice(0, 300)}` });
}

async function judge(request: Request): Promise<string | null> {
  const response = await fetch(request.url ?? server.httpUrl, {
    method: request.method ?? 'POST',
    headers: { 'content-type': 'application/json', ...random.pick(credentials), ...request.headers },
    body: request.method === 'GET' ? undefined : request.body,
    signal: AbortSignal.timeout(20_000),
  });
  // Subscriptions are refused over HTTP: a stream here would escape the websocket's checks.
  if (response.headers.get('content-type')?.startsWith('text/event-stream') && response.status < 400) {
    await response.body?.cancel();
    return `HTTP ${response.status} event stream`;
  }
  const text = await response.text();
  // The one documented 5xx: the database out of reach, which a client retries.
  if (response.status >= 500 && !(response.status === 503 && text.includes('DATABASE_UNAVAILABLE'))) return `HTTP ${response.status}: ${text.slice(0, 300)}`;
  // The admin's pages and files answer whatever path they are asked for; only their status counts.
  if (request.url && !new URL(request.url).pathname.startsWith('/graphql')) return LEAKS.test(text) ? `leaks internals: ${text.match(LEAKS)![0]}` : null;
  if (LEAKS.test(text)) return `leaks internals: ${text.match(LEAKS)![0]} in ${text.slice(0, 300)}`;
  let body: { data?: unknown; errors?: Array<{ message?: unknown; extensions?: Record<string, unknown> }> };
  try {
    body = JSON.parse(text);
  } catch {
    // Refused at the HTTP level (431 headers too large, 413 …): the status is the clear answer.
    if (response.status >= 400) return null;
    return `not JSON (HTTP ${response.status}): ${text.slice(0, 200)}`;
  }
  if (Array.isArray(body)) return null;
  if (!body.errors && (body.data === undefined || body.data === null)) return `neither data nor errors: ${text.slice(0, 200)}`;
  for (const error of body.errors ?? []) {
    if (typeof error.message !== 'string' || error.message.length === 0) return `error without a message: ${JSON.stringify(error)}`;
    if (error.extensions?.code === 'INTERNAL_SERVER_ERROR' || error.message === 'Unexpected error.') {
      return `masked internal error instead of a clear one`;
    }
  }
  return null;
}

async function healthy(): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${server.port}/healthz`, { signal: AbortSignal.timeout(10_000) }).catch(() => null);
  return response?.status === 200;
}

/** Sends the requests a few at a time, checking /healthz after every round. */
async function run(requests: Request[]): Promise<void> {
  for (let i = 0; i < requests.length; i += PARALLEL) {
    await Promise.all(requests.slice(i, i + PARALLEL).map(send));
    if (i % (PARALLEL * 10) === 0 && !(await healthy())) failures.push({ label: `after ${requests[i]!.label}`, problem: '/healthz is not 200' });
  }
}

const json = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });

// ---- the cases ------------------------------------------------------------------------------

function mutationCases(): Request[] {
  const requests: Request[] = [];
  const mutations = Object.values(schema.getMutationType()!.getFields());
  expect(mutations.length).toBeGreaterThan(10);
  for (const field of mutations) {
    const label = (what: string) => `mutation ${field.name}: ${what}`;
    const base = validArgs(field.args);
    requests.push({ label: label('valid-shaped arguments'), body: json(withVariables('mutation', field, base).query, base) });
    requests.push({ label: label('no arguments'), body: json(`mutation { ${field.name} ${selectionFor(field)} }`) });
    requests.push({ label: label('an unknown argument'), body: json(withLiterals('mutation', field, { ...base }).query.replace(`${field.name}(`, `${field.name}(bogus: 1, `)) });
    requests.push({ label: label('no selection'), body: json(withLiterals('mutation', field, base).query.replace(SELECTION, '')) });
    requests.push({ label: label('a field that does not exist'), body: json(withLiterals('mutation', field, base).query.replace('__typename', 'nope')) });
    for (const arg of field.args) {
      for (const [index, hostile] of HOSTILE.entries()) {
        const values = { ...base, [arg.name]: hostile };
        const variables = withVariables('mutation', field, values);
        requests.push({ label: label(`$${arg.name} = HOSTILE[${index}]`), body: json(variables.query, values) });
        if (index % 3 === 0) requests.push({ label: label(`${arg.name}: HOSTILE[${index}] literal`), body: json(withLiterals('mutation', field, values).query) });
      }
      // Variables declared with another type than the argument's.
      requests.push({
        label: label(`$${arg.name} declared as [Boolean]`),
        body: json(withVariables('mutation', field, base).query.replace(`$${arg.name}: ${String(arg.type)}`, `$${arg.name}: [Boolean]`), base),
      });
    }
    // Type-aware random values, many rounds per mutation.
    for (let round = 0; round < MUTATION_ROUNDS; round++) {
      const values = Object.fromEntries(field.args.filter(() => random.chance(0.95)).map((a) => [a.name, fuzzedValue(a.type)]));
      const build = random.chance(0.7) ? withVariables : withLiterals;
      const built = build('mutation', field, values);
      requests.push({ label: label(`random round ${round}`), body: json(built.query, built.variables) });
    }
  }
  return requests;
}

function queryCases(): Request[] {
  const requests: Request[] = [];
  for (const field of Object.values(schema.getQueryType()!.getFields())) {
    for (let round = 0; round < QUERY_ROUNDS; round++) {
      const values = Object.fromEntries(field.args.filter(() => random.chance(0.8)).map((a) => [a.name, fuzzedValue(a.type)]));
      const built = withVariables('query', field, values);
      // Query selections: __typename is valid on every composite type.
      const query = built.query.replace(SELECTION, `{ __typename }`);
      requests.push({ label: `query ${field.name}: random round ${round}`, body: json(query, values) });
    }
  }
  return requests;
}

function malformedDocuments(): Request[] {
  const seeds = [
    `mutation { triggerRun(scraperId: "1") { __typename } }`,
    `query Runs($first: Int) { runs(first: $first) { edges { node { id status } } } }`,
    `subscription { runUpdated { id } }`,
    `{ scrapers { id name } }`,
    `mutation A { heartbeat(jobId: "1") { __typename } } mutation B { cancelRun(jobId: "1") { __typename } }`,
  ];
  const junk = ['{', '}', '(', ')', '"', '$', '@', '...', ':', '#', '\\', '\u0000', '\uFFFF', '"""', 'fragment', 'on', '!', '[', ']', '='];
  const requests: Request[] = [];
  for (let i = 0; i < 250; i++) {
    const chars = [...random.pick(seeds)];
    const edits = 1 + random.int(4);
    for (let e = 0; e < edits; e++) {
      const at = random.int(chars.length + 1);
      const kind = random.int(3);
      if (kind === 0) chars.splice(at, 1);
      else if (kind === 1) chars.splice(at, 0, random.pick(junk));
      else chars.length = at;
    }
    requests.push({ label: `malformed document ${i}`, body: json(chars.join('')) });
  }
  for (const [label, query] of [
    ['an empty document', ''],
    ['whitespace only', '   \n\t  '],
    ['only a comment', '# nothing here'],
    ['an unterminated string', '{ scrapers(search: "open'],
    ['an unterminated block string', '{ a(b: """never closed'],
    ['a lone fragment', 'fragment F on Query { __typename }'],
    ['an undefined fragment', '{ ...Missing }'],
    ['a fragment cycle', 'query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }'],
    ['an undefined variable', 'mutation { triggerRun(scraperId: $nope) { __typename } }'],
    ['an unknown directive', '{ __typename @explode }'],
    ['two anonymous operations', '{ __typename } { __typename }'],
  ] as const) {
    requests.push({ label, body: json(query) });
  }
  return requests;
}

function floods(): Request[] {
  const nest = (depth: number, open: string, close: string, inner: string) => open.repeat(depth) + inner + close.repeat(depth);
  const requests: Request[] = [
    { label: 'deep inline fragments (3000)', body: json(`{ ${nest(3000, '... on Query { ', ' }', '__typename')} }`) },
    { label: 'deep nested list literal (20000)', body: json(`mutation { resolveFlags(ids: ${nest(20_000, '[', ']', '"1"')}, status: OPEN) { __typename } }`) },
    { label: 'deep nested object literal (5000)', body: json(`mutation { createScraper(input: ${nest(5000, '{a: ', '}', '1')}) { __typename } }`) },
    { label: 'deep selection (200 levels)', body: json(`{ ${nest(200, 'runs { edges { node { scraper { ', ' } } } }', 'id')} }`) },
    { label: 'deep JSON variables (5000)', body: `{"query":"mutation($i: CreateScraperInput!) { createScraper(input: $i) { __typename } }","variables":{"i":${nest(5000, '{"a":', '}', '1')}}}` },
    { label: 'wide selection (20000 fields)', body: json(`{ ${'__typename '.repeat(20_000)}}`) },
    { label: 'alias flood (2000)', body: json(`{ ${Array.from({ length: 2000 }, (_, i) => `a${i}: __typename`).join(' ')} }`) },
    { label: 'mutation alias flood (500)', body: json(`mutation { ${Array.from({ length: 500 }, (_, i) => `t${i}: triggerRun(scraperId: "${ids[0]}") { __typename }`).join(' ')} }`) },
    { label: 'directive flood (3000)', body: json(`{ __typename ${'@include(if: true) '.repeat(3000)}}`) },
    { label: 'fragment flood (3000)', body: json(`{ ...F0 } ${Array.from({ length: 3000 }, (_, i) => `fragment F${i} on Query { __typename${i + 1 < 3000 ? ` ...F${i + 1}` : ''} }`).join(' ')}`) },
    { label: 'operation flood (2000) without operationName', body: json(Array.from({ length: 2000 }, (_, i) => `query Q${i} { __typename }`).join(' ')) },
    { label: 'variable definition flood (5000)', body: json(`query(${Array.from({ length: 5000 }, (_, i) => `$v${i}: Int`).join(', ')}) { __typename }`) },
    { label: 'batch of 1000 operations', body: JSON.stringify(Array.from({ length: 1000 }, () => ({ query: '{ __typename }' }))) },
    { label: 'batch of 200 mutations', body: JSON.stringify(Array.from({ length: 200 }, () => ({ query: `mutation { triggerRun(scraperId: "${ids[0]}") { __typename } }` }))) },
    { label: 'a 5 MB string literal', body: json(`mutation { createRunner(name: "${'n'.repeat(5_000_000)}") { __typename } }`) },
    { label: 'a 5 MB string variable', body: json('mutation($n: String!) { createRunner(name: $n) { __typename } }', { n: 'n'.repeat(5_000_000) }) },
    { label: 'a 10 MB document of whitespace', body: json(`${' '.repeat(10_000_000)}{ __typename }`) },
    { label: '10000 log lines in one batch', body: json('mutation($j: ID!, $l: [LogLineInput!]!) { appendLogs(jobId: $j, batchId: "flood", logs: $l) { __typename } }', { j: ids[1], l: Array.from({ length: 10_000 }, () => ({ level: 'INFO', message: 'm' })) }) },
    { label: '1000 lines of 70 KB each', body: json('mutation($j: ID!, $l: [LogLineInput!]!) { appendLogs(jobId: $j, batchId: "big", logs: $l) { __typename } }', { j: ids[1], l: Array.from({ length: 1000 }, () => ({ level: 'INFO', message: 'm'.repeat(70_000) })) }) },
    // Bodies that are small on the wire and huge once parsed, from the one caller allowed 72 MB.
    { label: 'a million empty objects in variables', body: `{"query":"{ __typename }","variables":{"x":[${'{},'.repeat(999_999)}{}]}}`, headers: credentials[1] },
    { label: '300000 numbers in variables', body: `{"query":"{ __typename }","variables":{"x":[${'1,'.repeat(299_999)}1]}}`, headers: credentials[1] },
    { label: 'JSON nested 100000 deep', body: `{"query":"{ __typename }","variables":{"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`, headers: credentials[1] },
    { label: 'NUL in a document string', body: json(`mutation { createRunner(name: "a\\u0000b\\u{0}c") { __typename } }`) },
    { label: 'NUL and a lone surrogate in variables', body: '{"query":"mutation($n: String!) { createRunner(name: $n) { __typename } }","variables":{"n":"a\\u0000b\\ud800c"}}' },
    { label: '50000 flag ids', body: json('mutation($i: [ID!]!) { resolveFlags(ids: $i, status: RESOLVED) { __typename } }', { i: Array.from({ length: 50_000 }, (_, n) => String(n)) }) },
  ];
  return requests;
}

/**
 * Documents that cost memory rather than time: distinct multi-megabyte ones that are mostly a comment
 * (refused unparsed), and distinct token-dense ones just under the size limit (parsed, then refused
 * by validation), from every kind of caller; a cache keeping them would exhaust the heap.
 */
function largeDocuments(): Request[] {
  const requests: Request[] = [];
  for (let i = 0; i < 150; i++) {
    const megabytes = 1 + random.int(4);
    const operation = random.pick(['{ viewer { role } }', `mutation { triggerRun(scraperId: "${ids[0]}") { __typename } }`, '{ scrapers { id } }']);
    requests.push({ label: `a distinct ${megabytes} MB document, mostly comment (${i})`, body: json(`# ${i} ${random.int(1e9)} ${'a'.repeat(megabytes * 1024 * 1024)}\n${operation}`) });
  }
  for (let i = 0; i < 150; i++) {
    const fields = Array.from({ length: 400 + random.int(400) }, (_, k) => `d${i}_${k}: viewer { role }`).join(' ');
    requests.push({ label: `a distinct token-dense document under the limit (${i})`, body: json(`{ ${fields} }`) });
  }
  return requests;
}

/** URLs and heads a browser or a proxy would never send. */
function hostileHttp(): Request[] {
  const base = 'http://127.0.0.1:PORT';
  return [
    { label: 'a malformed escape in an admin path', method: 'GET', body: '', url: `${base}/%E0%A4%A` },
    { label: 'a malformed escape in /graphql', method: 'GET', body: '', url: `${base}/graphql?query=%E0%A4%A` },
    { label: 'a lone % in a path', method: 'GET', body: '', url: `${base}/runs/%` },
    { label: 'a path of 8 KB', method: 'GET', body: '', url: `${base}/${'p/'.repeat(4000)}` },
    { label: 'a 100 KB query string', method: 'GET', body: '', url: `${base}/graphql?query=${encodeURIComponent(`{ viewer { role } }${' '.repeat(100_000)}`)}` },
    { label: 'a 70 KB header', body: json('{ viewer { role } }'), headers: { 'x-big': 'b'.repeat(70_000) } },
    { label: 'a path that climbs out', method: 'GET', body: '', url: `${base}/assets/..%2F..%2F..%2Fpackage.json` },
  ];
}

function brokenHttp(): Request[] {
  return [
    { label: 'invalid JSON', body: '{"query": "{ __typename }"' },
    { label: 'JSON null', body: 'null' },
    { label: 'JSON number', body: '42' },
    { label: 'JSON string', body: '"{ __typename }"' },
    { label: 'empty body', body: '' },
    { label: 'query is a number', body: JSON.stringify({ query: 42 }) },
    { label: 'query is an object', body: JSON.stringify({ query: { a: 1 } }) },
    { label: 'query is missing', body: JSON.stringify({ variables: {} }) },
    { label: 'variables is a string', body: JSON.stringify({ query: '{ __typename }', variables: 'nope' }) },
    { label: 'variables is an array', body: JSON.stringify({ query: '{ __typename }', variables: [1, 2] }) },
    { label: 'operationName is a number', body: JSON.stringify({ query: '{ __typename }', operationName: 7 }) },
    { label: 'operationName names nothing', body: JSON.stringify({ query: 'query A { __typename }', operationName: 'B' }) },
    { label: 'extensions is a string', body: JSON.stringify({ query: '{ __typename }', extensions: 'x' }) },
    { label: 'a __proto__ variable', body: '{"query":"mutation($i: CreateScraperInput!) { createScraper(input: $i) { __typename } }","variables":{"i":{"__proto__":{"admin":true}}}}' },
    { label: 'a persisted-query hash only', body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } }) },
    { label: 'text/plain body', body: '{ __typename }', headers: { 'content-type': 'text/plain' } },
    { label: 'form body', body: 'query=%7B__typename%7D', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    { label: 'a mutation over GET', method: 'GET', body: '', url: `${'http://127.0.0.1:'}PORT/graphql?query=${encodeURIComponent('mutation { triggerRun(scraperId: "1") { __typename } }')}` },
    { label: 'a GET without a query', method: 'GET', body: '', url: 'http://127.0.0.1:PORT/graphql', headers: { accept: 'application/json' } },
    { label: 'a subscription over HTTP', body: json('subscription { runUpdated { id } }'), headers: { accept: 'application/json' } },
    { label: 'an 8 KB x-request-id and authorization', body: json('{ __typename }'), headers: { 'x-request-id': 'r'.repeat(8000), authorization: `Bearer ${'t'.repeat(8000)}` } },
  ];
}


// ---- graphql-ws frames ----------------------------------------------------------------------

type Frame = string | Buffer | Record<string, unknown> | unknown[];
type WsCase = { label: string; init?: Record<string, unknown> | null; frames: Frame[]; answerId?: string };

/**
 * Opens a graphql-ws connection, sends `init` (waiting for its ack when it is acknowledged) and the
 * frames, then waits until the server closes the socket or answers the operation `answerId`.
 */
async function sendFrames(c: WsCase): Promise<void> {
  cases++;
  const messages: Array<{ type: string; id?: string; payload?: unknown }> = [];
  const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
  socket.on('error', () => undefined);
  const problem = await new Promise<string | null>((resolve) => {
    const timer = setTimeout(() => resolve(`no answer in 15 s; got ${JSON.stringify(messages).slice(0, 300)}`), 15_000);
    const done = (result: string | null) => {
      clearTimeout(timer);
      resolve(result);
    };
    const sendAll = () => {
      for (const frame of c.frames) socket.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame));
    };
    socket.on('open', () => {
      if (c.init === undefined) return sendAll();
      socket.send(JSON.stringify({ type: 'connection_init', ...(c.init === null ? {} : { payload: c.init }) }));
    });
    socket.on('message', (raw) => {
      const text = String(raw);
      if (LEAKS.test(text)) return done(`leaks internals: ${text.match(LEAKS)![0]} in ${text.slice(0, 300)}`);
      const message = JSON.parse(text);
      messages.push(message);
      if (message.type === 'ping') socket.send(JSON.stringify({ type: 'pong' }));
      if (message.type === 'connection_ack') sendAll();
      const errors = message.type === 'error' ? message.payload : message.type === 'next' ? message.payload?.errors : undefined;
      for (const error of errors ?? []) {
        if (typeof error.message !== 'string' || !error.message) return done(`error without a message: ${text.slice(0, 300)}`);
        if (error.extensions?.code === 'INTERNAL_SERVER_ERROR') return done(`masked internal error: ${text.slice(0, 300)}`);
      }
      if (c.answerId && message.id === c.answerId && (message.type === 'error' || message.type === 'complete')) done(null);
    });
    socket.on('close', (code, reason) => {
      // 4400-4499 are graphql-ws's and our own clear refusals, 1009 a message over 1 MB; 1011, 4500 or an abnormal close are not.
      const tooBig = code === 1009 && c.frames.some((frame) => Buffer.byteLength(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame)) > 1024 * 1024);
      done((code >= 4400 && code < 4500) || tooBig ? null : `closed with ${code} ${String(reason)}`);
    });
  });
  socket.terminate();
  if (problem) failures.push({ label: `websocket: ${c.label}`, problem });
}

function websocketCases(): WsCase[] {
  const admin = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
  const subscribe = (id: string, payload: unknown) => ({ id, type: 'subscribe', payload });
  const list: WsCase[] = [
    { label: 'text that is not JSON before init', frames: ['not json at all'] },
    { label: 'a binary frame', frames: [Buffer.from([0, 1, 2, 255])] },
    { label: 'a JSON array', frames: [[1, 2, 3]] },
    { label: 'an unknown message type', frames: [{ type: 'explode' }] },
    { label: 'subscribe before connection_init', frames: [subscribe('1', { query: '{ __typename }' })] },
    { label: 'connection_init twice', init: admin, frames: [{ type: 'connection_init', payload: admin }] },
    { label: 'connection_init with a string payload', frames: [{ type: 'connection_init', payload: 'token' }] },
    { label: 'connection_init with a 1 MB payload', init: { Authorization: `Bearer ${'t'.repeat(1_000_000)}` }, frames: [] },
    { label: 'connection_init without credentials', init: null, frames: [] },
    { label: 'connection_init with forged credentials', init: { 'x-api-key': "' OR '1'='1", Authorization: 'Bearer sdt_x' }, frames: [] },
    { label: 'subscribe without an id', init: admin, frames: [{ type: 'subscribe', payload: { query: '{ __typename }' } }] },
    { label: 'subscribe with a numeric query', init: admin, frames: [subscribe('q', { query: 42 })] },
    { label: 'subscribe without a payload', init: admin, frames: [{ id: 'q', type: 'subscribe' }] },
    { label: 'the same id twice while active', init: admin, frames: [subscribe('d', { query: 'subscription { runUpdated { id } }' }), subscribe('d', { query: 'subscription { runUpdated { id } }' })] },
    { label: 'a 3 MB frame of junk', init: admin, frames: ['x'.repeat(3_000_000)] },
  ];
  const documents: Array<[string, string, Record<string, unknown>?]> = [
    ['a malformed document', 'subscription { runUpdated { id }'],
    ['an unknown field', 'subscription { nope }'],
    ['deep nested list literal (20000)', `subscription { jobLogs(jobId: ${'['.repeat(20_000)}"1"${']'.repeat(20_000)}) { lastSeq } }`],
    ['deep inline fragments (3000)', `subscription { ${'... on Subscription { '.repeat(3000)}__typename${' }'.repeat(3000)} }`],
    ['alias flood', `subscription { ${Array.from({ length: 500 }, (_, i) => `a${i}: runUpdated { id }`).join(' ')} }`],
    ['a mistyped variable', 'subscription($j: ID!) { jobLogs(jobId: $j) { lastSeq } }', { j: { not: 'an id' } }],
    ['a job that does not exist', 'subscription { jobLogs(jobId: "abc") { lastSeq } }'],
    ['a huge afterSeq', `subscription { jobLogs(jobId: "${ids[1]}", afterSeq: 99999999999) { lastSeq } }`],
    ['a negative afterSeq', `subscription { jobLogs(jobId: "${ids[1]}", afterSeq: -5) { lastSeq } }`],
    ['an unknown minLevel', `subscription { jobLogs(jobId: "${ids[1]}", minLevel: LOUD) { lastSeq } }`],
    ['a query', '{ scrapers { id } }'],
    ['a mutation', `mutation { triggerRun(scraperId: "${ids[0]}") { __typename } }`],
    ['two operations without a name', 'subscription A { runUpdated { id } } subscription B { runUpdated { id } }'],
  ];
  for (const [label, query, variables] of documents) {
    list.push({ label, init: admin, frames: [subscribe('op', { query, variables })], answerId: 'op' });
  }
  // Every query and mutation document of the HTTP fuzzing, as websocket operations, from a sample.
  const sampled = [...mutationCases(), ...queryCases(), ...malformedDocuments()].filter(() => random.chance(0.02));
  for (const request of sampled) {
    const body = JSON.parse(request.body) as { query: string; variables: Record<string, unknown> };
    list.push({ label: request.label, init: admin, frames: [subscribe('op', body)], answerId: 'op' });
  }
  return list;
}

describe('fuzzing the GraphQL surface', () => {
  it('answers every malformed, mistyped, oversized and flooding request with a clear error and stays healthy', async () => {
    const requests = shuffled([...mutationCases(), ...queryCases(), ...malformedDocuments(), ...floods(), ...brokenHttp(), ...largeDocuments(), ...hostileHttp()]).map((r) =>
      r.url ? { ...r, url: r.url.replace('PORT', String(server.port)) } : r,
    );
    await run(requests);
    expect(server.alive(), server.output().slice(-2000)).toBe(true);

    expect(await healthy()).toBe(true);
    // And it still does real work afterwards.
    expect((await server.admin.data(`{ scrapers { id } }`)).scrapers.length).toBeGreaterThan(0);
    process.stdout.write(`\nfuzz-graphql: ${cases} cases tried (seed ${SEED}), ${failures.length} failed\n`);
    expect(failures, JSON.stringify(failures.slice(0, 25), null, 2)).toEqual([]);
    expect(cases).toBeGreaterThan(10_000);
  }, 300_000);

  it('answers every malformed or hostile graphql-ws frame with a clear error or close code and stays healthy', async () => {
    const before = cases;
    failures.length = 0;
    const list = websocketCases();
    for (let i = 0; i < list.length; i += 4) {
      await Promise.all(list.slice(i, i + 4).map(sendFrames));
      if (i % 40 === 0 && !(await healthy())) failures.push({ label: `after websocket: ${list[i]!.label}`, problem: '/healthz is not 200' });
    }
    expect(await healthy()).toBe(true);
    process.stdout.write(`\nfuzz-graphql websocket: ${cases - before} cases tried (seed ${SEED}), ${failures.length} failed\n`);
    expect(failures, JSON.stringify(failures.slice(0, 25), null, 2)).toEqual([]);
    expect(cases - before).toBeGreaterThan(60);
  }, 120_000);

  it(`keeps no more than ${RSS_GROWTH_LIMIT_MB} MB of all that, once collected`, async () => {
    expect(server.alive(), server.output().slice(-2000)).toBe(true);
    const rssAfter = await settledRssMb(server.pid, inspector);
  

    process.stdout.write(`\nfuzz-graphql: server RSS ${rssBefore.toFixed(1)} MB before, ${rssAfter.toFixed(1)} MB after the fuzzing ${JSON.stringify(await memoryUsage(inspector))}\n`);
    expect(rssAfter - rssBefore).toBeLessThan(RSS_GROWTH_LIMIT_MB);
    expect(await healthy()).toBe(true);
  });
});

/** The cases in a seeded random order, so that large and small, valid and hostile, interleave. */
function shuffled<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
