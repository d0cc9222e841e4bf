/**
 * The export endpoints over real HTTP against a real PostgreSQL: byte-exact CSV, NDJSON and TXT of
 * hostile values, who may export, single-use links, the per-credential limit, streaming with
 * backpressure, and what a client that goes away leaves behind (nothing).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { seedRunner, seedScraper, seedToken } from '../helpers/seed.ts';
import { TEST_ADMIN_TOKEN, useTestServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const PUBLIC_URL = 'https://scrapedeck.example';
const { db, server } = useTestServer({ publicUrl: PUBLIC_URL });

let viewer: { token: string; tokenId: number };
let runnerKey: string;
const ids = { source: 0, scraper: 0, p1: 0, p2: 0, p3: 0, run1: 0, run2: 0, bigRun: 0 };
const today = new Date().toISOString().slice(0, 10);

const base = () => `http://127.0.0.1:${server.port}`;
const get = (path: string, token: string | null = viewer.token, headers: Record<string, string> = {}, signal?: AbortSignal) =>
  fetch(`${base()}${path}`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers }, signal });

beforeAll(async () => {
  const pool = db.pool;
  viewer = await seedToken(pool, 'VIEWER');
  runnerKey = (await seedRunner(pool)).apiKey;
  const seeded = await seedScraper(pool, { slug: 'hostile-shop' });
  ids.scraper = seeded.scraperId;
  ids.source = seeded.sourceId;
  await pool.query(`UPDATE source SET name = 'Grüne Wiese, "GmbH"' WHERE id = $1`, [ids.source]);
  const insertProduct = async (p: Record<string, unknown>) =>
    (
      await pool.query<{ id: number }>(
        `INSERT INTO product (source_id, sku, name, brand, category, raw_category, price, thc_percent, cbd_percent, url, scraped_at, first_seen_at, gone_at, last_scraper_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
        [ids.source, p.sku, p.name, p.brand, p.category, p.rawCategory, p.price, p.thc, p.cbd, p.url, p.lastSeen, p.firstSeen, p.gone ?? null, ids.scraper],
      )
    ).rows[0]!.id;
  ids.p1 = await insertProduct({
    sku: '=SUM(A1:A2)', name: 'Açaí "Blue" Dream, 1g', brand: '+1', category: 'flower', rawCategory: 'Flower', price: 12.5, thc: 21.3, cbd: null,
    url: 'https://shop.example/açaí?x=1,2', lastSeen: '2026-12-06T10:00:00.123Z', firstSeen: '2026-11-01T08:00:00.000Z',
  });
  ids.p2 = await insertProduct({
    sku: '-2', name: 'Gummies 🍬\nline two', brand: '@x', category: 'edibles', rawCategory: '\rEDIBLES', price: null, thc: null, cbd: 5,
    url: null, lastSeen: '2026-12-05T09:30:00.000Z', firstSeen: '2026-11-02T08:00:00.000Z', gone: '2026-12-06T11:00:00.000Z',
  });
  ids.p3 = await insertProduct({
    sku: 'plain', name: 'Zebra Kush', brand: '\tTab', category: null, rawCategory: null, price: 0, thc: 0.5, cbd: 0,
    url: 'https://shop.example/zebra', lastSeen: '2026-12-04T00:00:00.000Z', firstSeen: '2026-12-04T00:00:00.000Z',
  });
  // As ingest writes it (this fixture inserts rows directly).
  await pool.query(`UPDATE product SET search_text = scrapedeck_fold(name || ' ' || coalesce(brand, '') || ' ' || sku)`);
  await pool.query(`INSERT INTO flag (kind, product_id, detail) SELECT (enum_range(NULL::"FlagKind"))[1], $1, 'x'`, [ids.p2]);
  await pool.query(`INSERT INTO published_product (product_id, name, scraped_at) VALUES ($1, 'Gummies', now())`, [ids.p2]);

  const insertRun = async (r: Record<string, unknown>) =>
    (
      await pool.query<{ id: number }>(
        `INSERT INTO run (scraper_id, status, triggered_by, queued_at, started_at, completed_at, duration_seconds, products_found, products_processed,
                          flags_created, error_type, error_message, retry_count, debug_count, info_count, warning_count, error_count, critical_count)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id`,
        [ids.scraper, r.status, r.triggeredBy, r.queuedAt, r.startedAt, r.completedAt, r.duration, r.found, r.processed, r.flags, r.errorType, r.errorMessage, r.retries, ...(r.counts as number[])],
      )
    ).rows[0]!.id;
  ids.run1 = await insertRun({
    status: 'SUCCESS', triggeredBy: 'SCHEDULER', queuedAt: '2026-12-05T06:00:00.000Z', startedAt: '2026-12-05T06:00:01.000Z', completedAt: '2026-12-05T06:01:00.500Z',
    duration: 59.5, found: 3, processed: 3, flags: 1, errorType: null, errorMessage: null, retries: 0, counts: [10, 5, 0, 0, 0],
  });
  ids.run2 = await insertRun({
    status: 'ERROR', triggeredBy: 'API', queuedAt: '2026-12-06T06:00:00.000Z', startedAt: '2026-12-06T06:00:02.000Z', completedAt: '2026-12-06T06:00:14.250Z',
    duration: 12.25, found: 0, processed: 0, flags: 0, errorType: '@TimeoutError', errorMessage: 'Timeout, "page 2"\nretry =1+1 😀', retries: 1, counts: [0, 3, 2, 1, 0],
  });
  await pool.query(
    `INSERT INTO log_line (run_id, seq, level, message, "timestamp") VALUES
       ($1, 1, 'DEBUG', 'plain start', '2026-12-06T06:00:02.000Z'),
       ($1, 2, 'INFO', E'multi\\nline "quoted"\\ttab \\\\ back\\r', '2026-12-06T06:00:03.000Z'),
       ($1, 3, 'WARNING', '=cmd|'' /C calc''!A0', '2026-12-06T06:00:04.000Z'),
       ($1, 4, 'ERROR', 'Café 😀 Timeout', '2026-12-06T06:00:05.000Z')`,
    [ids.run2],
  );

  // 50,000 lines of about 400 bytes: far more than socket buffers hold, so the export must wait for its reader.
  ids.bigRun = await insertRun({
    status: 'SUCCESS', triggeredBy: 'API', queuedAt: '2026-12-01T06:00:00.000Z', startedAt: null, completedAt: null,
    duration: null, found: 0, processed: 0, flags: 0, errorType: null, errorMessage: null, retries: 0, counts: [0, 50_000, 0, 0, 0],
  });
  await pool.query(
    `INSERT INTO log_line (run_id, seq, level, message, "timestamp")
     SELECT $1, s, 'INFO', 'line ' || s || ' ' || repeat('x', 400), '2026-12-01T06:00:00Z'::timestamptz + s * interval '1 ms'
       FROM generate_series(1, 50000) s`,
    [ids.bigRun],
  );
});

const PRODUCTS_HEADER = 'id,sku,name,brand,category,rawCategory,price,thcPercent,cbdPercent,url,source,firstSeenAt,lastSeenAt,goneAt,published,flagged\r\n';

describe('products export', () => {
  it('writes RFC 4180 CSV with formula-leading text neutralised and numbers left as numbers', async () => {
    const response = await get('/export/products.csv');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="scrapedeck-products-${today}.csv"`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const source = '"Grüne Wiese, ""GmbH"""';
    expect(await response.text()).toBe(
      PRODUCTS_HEADER +
        `${ids.p1},'=SUM(A1:A2),"Açaí ""Blue"" Dream, 1g",'+1,flower,Flower,12.5,21.3,,"https://shop.example/açaí?x=1,2",${source},2026-11-01T08:00:00.000Z,2026-12-06T10:00:00.123Z,,false,false\r\n` +
        `${ids.p2},'-2,"Gummies 🍬\nline two",'@x,edibles,"'\rEDIBLES",,,5,,${source},2026-11-02T08:00:00.000Z,2026-12-05T09:30:00.000Z,2026-12-06T11:00:00.000Z,true,true\r\n` +
        `${ids.p3},plain,Zebra Kush,'\tTab,,,0,0.5,0,https://shop.example/zebra,${source},2026-12-04T00:00:00.000Z,2026-12-04T00:00:00.000Z,,false,false\r\n`,
    );
  });

  it('writes NDJSON in the GraphQL field names, sorted and filtered as asked', async () => {
    const response = await get(`/export/products.ndjson?sourceId=${ids.source}&sort=PRICE&direction=DESC`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    const source = String.raw`"source":{"id":"${ids.source}","name":"Grüne Wiese, \"GmbH\""}`;
    // Price descending, products without a price last.
    expect(await response.text()).toBe(
      String.raw`{"id":"${ids.p1}","sku":"=SUM(A1:A2)","name":"Açaí \"Blue\" Dream, 1g","brand":"+1","category":"flower","rawCategory":"Flower","price":12.5,"thcPercent":21.3,"cbdPercent":null,"url":"https://shop.example/açaí?x=1,2",${source},"firstSeenAt":"2026-11-01T08:00:00.000Z","lastSeenAt":"2026-12-06T10:00:00.123Z","goneAt":null,"published":false,"flagged":false}` + '\n' +
        String.raw`{"id":"${ids.p3}","sku":"plain","name":"Zebra Kush","brand":"\tTab","category":null,"rawCategory":null,"price":0,"thcPercent":0.5,"cbdPercent":0,"url":"https://shop.example/zebra",${source},"firstSeenAt":"2026-12-04T00:00:00.000Z","lastSeenAt":"2026-12-04T00:00:00.000Z","goneAt":null,"published":false,"flagged":false}` + '\n' +
        String.raw`{"id":"${ids.p2}","sku":"-2","name":"Gummies 🍬\nline two","brand":"@x","category":"edibles","rawCategory":"\rEDIBLES","price":null,"thcPercent":null,"cbdPercent":5,"url":null,${source},"firstSeenAt":"2026-11-02T08:00:00.000Z","lastSeenAt":"2026-12-05T09:30:00.000Z","goneAt":"2026-12-06T11:00:00.000Z","published":true,"flagged":true}` + '\n',
    );
  });

  it('applies the product filter: gone, flagged and an accent-insensitive search', async () => {
    const lines = async (query: string) => (await (await get(`/export/products.ndjson?${query}`)).text()).split('\n').filter(Boolean).map((l) => JSON.parse(l).id);
    expect(await lines('gone=true')).toEqual([String(ids.p2)]);
    expect(await lines('flagged=false')).toEqual([String(ids.p1), String(ids.p3)]);
    expect(await lines('search=ACAI')).toEqual([String(ids.p1)]);
    expect(await lines('category=Edible&published=true')).toEqual([String(ids.p2)]);
  });
});

describe('runs export', () => {
  const HEADER =
    'id,scraper,status,triggeredBy,queuedAt,startedAt,completedAt,durationSeconds,productsFound,productsProcessed,flagsCreated,errorType,errorMessage,retryCount,publication,logCounts.debug,logCounts.info,logCounts.warning,logCounts.error,logCounts.critical\r\n';

  it('writes the runs newest first as CSV', async () => {
    const response = await get(`/export/runs.csv?scraperId=${ids.scraper}&since=2026-12-02T00:00:00Z`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="scrapedeck-runs-${today}.csv"`);
    expect(await response.text()).toBe(
      HEADER +
        `${ids.run2},hostile-shop,ERROR,API,2026-12-06T06:00:00.000Z,2026-12-06T06:00:02.000Z,2026-12-06T06:00:14.250Z,12.25,0,0,0,'@TimeoutError,"Timeout, ""page 2""\nretry =1+1 😀",1,NONE,0,3,2,1,0\r\n` +
        `${ids.run1},hostile-shop,SUCCESS,SCHEDULER,2026-12-05T06:00:00.000Z,2026-12-05T06:00:01.000Z,2026-12-05T06:01:00.500Z,59.5,3,3,1,,,0,NONE,10,5,0,0,0\r\n`,
    );
  });

  it('writes NDJSON with the scraper and log counts as objects', async () => {
    const response = await get(`/export/runs.ndjson?status=ERROR`);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    expect(await response.text()).toBe(
      String.raw`{"id":"${ids.run2}","scraper":{"id":"${ids.scraper}","slug":"hostile-shop"},"status":"ERROR","triggeredBy":"API","queuedAt":"2026-12-06T06:00:00.000Z","startedAt":"2026-12-06T06:00:02.000Z","completedAt":"2026-12-06T06:00:14.250Z","durationSeconds":12.25,"productsFound":0,"productsProcessed":0,"flagsCreated":0,"errorType":"@TimeoutError","errorMessage":"Timeout, \"page 2\"\nretry =1+1 😀","retryCount":1,"publication":"NONE","logCounts":{"debug":0,"info":3,"warning":2,"error":1,"critical":0}}` + '\n',
    );
  });
});

describe('run logs export', () => {
  it('writes NDJSON of every line in seq order', async () => {
    const response = await get(`/export/runs/${ids.run2}/logs.ndjson`);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="scrapedeck-run-${ids.run2}-logs-${today}.ndjson"`);
    expect(await response.text()).toBe(
      String.raw`{"seq":1,"timestamp":"2026-12-06T06:00:02.000Z","level":"DEBUG","message":"plain start"}` + '\n' +
        String.raw`{"seq":2,"timestamp":"2026-12-06T06:00:03.000Z","level":"INFO","message":"multi\nline \"quoted\"\ttab \\ back\r"}` + '\n' +
        String.raw`{"seq":3,"timestamp":"2026-12-06T06:00:04.000Z","level":"WARNING","message":"=cmd|' /C calc'!A0"}` + '\n' +
        String.raw`{"seq":4,"timestamp":"2026-12-06T06:00:05.000Z","level":"ERROR","message":"Café 😀 Timeout"}` + '\n',
    );
  });

  it('writes TXT with one line per log line, escaping backslash, newlines and tabs in messages', async () => {
    const response = await get(`/export/runs/${ids.run2}/logs.txt`);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await response.text()).toBe(
      '1\t2026-12-06T06:00:02.000Z\tDEBUG\tplain start\n' +
        '2\t2026-12-06T06:00:03.000Z\tINFO\tmulti\\nline "quoted"\\ttab \\\\ back\\r\n' +
        "3\t2026-12-06T06:00:04.000Z\tWARNING\t=cmd|' /C calc'!A0\n" +
        '4\t2026-12-06T06:00:05.000Z\tERROR\tCafé 😀 Timeout\n',
    );
  });

  it('selects lines by minLevel and contains as jobLogs does', async () => {
    const exported = await (await get(`/export/runs/${ids.run2}/logs.txt?minLevel=WARNING&contains=CAFÉ`)).text();
    expect(exported).toBe('4\t2026-12-06T06:00:05.000Z\tERROR\tCafé 😀 Timeout\n');
    const page = await server.client({ token: viewer.token }).data(`query($id: ID!) { jobLogs(jobId: $id, minLevel: WARNING, contains: "CAFÉ") { edges { node { seq } } } }`, {
      id: String(ids.run2),
    });
    expect(page.jobLogs.edges.map((e: { node: { seq: number } }) => e.node.seq)).toEqual([4]);
  });

  it('answers 404 for a run that does not exist', async () => {
    const response = await get('/export/runs/999999/logs.ndjson');
    expect(response.status).toBe(404);
    expect((await response.json()).errors[0].extensions.code).toBe('NOT_FOUND');
  });
});

describe('who may export', () => {
  it('lets a viewer token and the admin token export', async () => {
    expect((await get('/export/runs.csv', viewer.token)).status).toBe(200);
    expect((await get('/export/runs.csv', TEST_ADMIN_TOKEN)).status).toBe(200);
  });

  it('refuses an anonymous client with 401 and a runner key with 403, as JSON', async () => {
    const anonymous = await get('/export/products.csv', null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect((await anonymous.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const runner = await get('/export/products.csv', null, { 'x-api-key': runnerKey });
    expect(runner.status).toBe(403);
    expect((await runner.json()).errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await get('/export/products.csv', runnerKey)).status).toBe(401);
  });

  it('refuses a parameter of the wrong type with 400 naming it', async () => {
    for (const [query, parameter] of [
      ['/export/products.csv?flagged=maybe', 'flagged'],
      ['/export/products.csv?sourceId=abc', 'sourceId'],
      ['/export/products.csv?sort=COLOUR', 'sort'],
      ['/export/runs.ndjson?since=yesterday', 'since'],
      ['/export/runs.ndjson?status=DONE', 'status'],
      ['/export/runs/1/logs.txt?minLevel=LOUD', 'minLevel'],
      ['/export/runs.csv?colour=red', 'colour'],
      ['/export/runs.csv?status=ERROR&status=SUCCESS', 'status'],
    ] as const) {
      // Checked before the caller: the answer is the same with or without a token.
      const response = await get(query, null);
      expect(response.status, query).toBe(400);
      const body = await response.json();
      expect(body.errors[0].extensions, query).toEqual({ code: 'BAD_USER_INPUT', parameter });
      expect(body.errors[0].message, query).toContain(parameter);
    }
  });
});

describe('single-use links', () => {
  const LINK = `query($format: ExportFormat!) { productsExport(format: $format, filter: { gone: true }) { url expiresAt path } }`;
  const follow = (url: string) => {
    expect(url.startsWith(`${PUBLIC_URL}/export/`)).toBe(true);
    return fetch(`${base()}${url.slice(PUBLIC_URL.length)}`);
  };

  it('opens its export once, without a token, and then no more', async () => {
    const { productsExport: link } = await server.client({ token: viewer.token }).data(LINK, { format: 'NDJSON' });
    expect(link.path).toBe('/export/products.ndjson?gone=true');
    expect(link.url).not.toContain(viewer.token);
    expect(new Date(link.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(60_000);
    const first = await follow(link.url);
    expect(first.status).toBe(200);
    expect(await first.text()).toBe(await (await get(link.path)).text());
    const second = await follow(link.url);
    expect(second.status).toBe(401);
    expect((await second.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('stops working once expired', async () => {
    const { productsExport: link } = await server.client({ token: viewer.token }).data(LINK, { format: 'CSV' });
    const secret = new URL(link.url).searchParams.get('ticket')!;
    // Only the hash is stored: the secret itself appears nowhere in the table.
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM export_ticket WHERE ticket_hash = $1 OR path LIKE '%' || $1 || '%'`, [secret])).rows[0].n).toBe(0);
    await db.pool.query(`UPDATE export_ticket SET expires_at = now() - interval '1 second' WHERE used_at IS NULL AND path = $1`, [link.path]);
    expect((await follow(link.url)).status).toBe(401);
  });

  it('does not open another export, and stays usable for its own', async () => {
    const { productsExport: link } = await server.client({ token: viewer.token }).data(LINK, { format: 'CSV' });
    const ticket = new URL(link.url).searchParams.get('ticket')!;
    expect((await get(`/export/runs.csv?ticket=${ticket}`, null)).status).toBe(401);
    expect((await get(`/export/products.csv?ticket=${ticket}`, null)).status).toBe(401);
    expect((await follow(link.url)).status).toBe(200);
  });

  it('is refused to a runner', async () => {
    const response = await server.client({ apiKey: runnerKey }).request(`query { runsExport(format: CSV) { url } }`);
    expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('offers TXT for run logs only', async () => {
    const refused = await server.client({ token: viewer.token }).request(`query { runsExport(format: TXT) { url } }`);
    expect(refused.errors?.[0]?.message).toContain('CSV or NDJSON');
    const { runLogsExport: link } = await server
      .client({ token: viewer.token })
      .data(`query($id: ID!) { runLogsExport(jobId: $id, format: TXT, minLevel: ERROR) { url path } }`, { id: String(ids.run2) });
    expect(link.path).toBe(`/export/runs/${ids.run2}/logs.txt?minLevel=ERROR`);
    expect(await (await follow(link.url)).text()).toBe('4\t2026-12-06T06:00:05.000Z\tERROR\tCafé 😀 Timeout\n');
  });
});

/** The export connection of this test's database, as PostgreSQL sees it. */
const exportSessions = async () =>
  (
    await db.pool.query<{ state: string; query: string }>(
      `SELECT state, query FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'scrapedeck-export' AND pid <> pg_backend_pid()`,
    )
  ).rows;
const slotLocks = async () => (await db.pool.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND classid IN (14003, 14004)`)).rows[0].n as number;

describe('streaming', () => {
  it('sends the first bytes of 50,000 rows while the cursor is still open, then all of them', async () => {
    const response = await get(`/export/runs/${ids.bigRun}/logs.ndjson`);
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value).startsWith('{"seq":1,')).toBe(true);
    // The client pauses: the export waits on it inside its transaction, its rows not all read.
    await waitUntil(async () => (await exportSessions()).some((s) => s.state === 'idle in transaction' && s.query.startsWith('FETCH')), 'the export to wait for its reader');
    const decoder = new TextDecoder();
    let text = decoder.decode(first.value, { stream: true });
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(50_000);
    expect(JSON.parse(lines[49_999]!).seq).toBe(50_000);
    await waitUntil(async () => (await exportSessions()).every((s) => s.state === 'idle'), 'the export connection to go back to its pool');
  });

  it('cuts a response off, instead of ending it as if complete, when the database fails mid-export', async () => {
    const response = await get(`/export/runs/${ids.bigRun}/logs.ndjson`);
    const reader = response.body!.getReader();
    await reader.read();
    // Blocked on its reader, not between two FETCHes: idle in its transaction for a while. Then that
    // session, and only while it still waits mid-export, loses its connection.
    const blocked = async () =>
      (
        await db.pool.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = 'scrapedeck-export'
              AND state = 'idle in transaction' AND query LIKE 'FETCH%' AND now() - state_change > interval '500 milliseconds'`,
        )
      ).rows;
    await waitUntil(async () => (await blocked()).length === 1, 'the export to wait for its reader');
    const terminated = await db.pool.query(`SELECT pg_terminate_backend($1)`, [(await blocked())[0]!.pid]);
    expect(terminated.rows[0].pg_terminate_backend).toBe(true);
    const readAll = async () => {
      for (;;) if ((await reader.read()).done) return 'ended as complete';
    };
    await expect(readAll()).rejects.toThrow();
    // The export pool replaced the lost connection: the next export works.
    expect((await get('/export/runs.csv')).status).toBe(200);
  });

  it('limits a credential to two exports at a time (429), and a client that goes away frees its connection and slot', async () => {
    const other = await seedToken(db.pool, 'VIEWER');
    const first = new AbortController();
    const second = new AbortController();
    const a = await get(`/export/runs/${ids.bigRun}/logs.txt`, other.token, {}, first.signal);
    const b = await get(`/export/runs/${ids.bigRun}/logs.ndjson`, other.token, {}, second.signal);
    expect([a.status, b.status]).toEqual([200, 200]);
    await a.body!.getReader().read();
    await b.body!.getReader().read();
    const third = await get('/export/runs.csv', other.token);
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('10');
    expect((await third.json()).errors[0].extensions.code).toBe('TOO_MANY_EXPORTS');
    // Another credential is not held up by this one's exports.
    expect((await get('/export/runs.csv', viewer.token)).status).toBe(200);
    // A link made by the busy credential is refused with 429 too, and is not used up by the refusal.
    const { runsExport: link } = await server.client({ token: other.token }).data(`query { runsExport(format: CSV) { url } }`);
    const linked = () => fetch(`${base()}${link.url.slice(PUBLIC_URL.length)}`);
    expect((await linked()).status).toBe(429);

    first.abort();
    second.abort();
    await waitUntil(async () => (await slotLocks()) === 0, 'the slots to be released');
    await waitUntil(async () => (await exportSessions()).every((s) => s.state === 'idle'), 'the export connections to be back, idle');
    const after = await linked();
    expect(after.status).toBe(200);
    expect((await after.text()).split('\r\n')[0]).toMatch(/^id,scraper,/);
  });
});
