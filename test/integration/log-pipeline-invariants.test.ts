/**
 * The log pipeline's invariants (see the design notes) under concurrency: contiguous seqs,
 * idempotent batches, counts kept in the appending transaction, replay-then-live with appends racing
 * the subscription start, message fidelity, history pages and input bounds.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { collect, type GraphQLTestClient } from '../helpers/graphql.ts';
import { claimRunFor } from '../helpers/runs.ts';
import { APPEND_LOGS, JOB_LOGS_BY_LEVEL } from '../helpers/logShipper.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const HISTORY = /* GraphQL */ `
  query History($jobId: ID!, $first: Int, $after: String, $minLevel: LogLevel, $contains: String) {
    jobLogs(jobId: $jobId, first: $first, after: $after, minLevel: $minLevel, contains: $contains) {
      edges { cursor node { seq level message timestamp receivedAt } }
      pageInfo { hasNextPage endCursor }
    }
  }`;

const LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;

const { db, server } = useTestServer();
let runner: Awaited<ReturnType<typeof seedRunner>>;
let runnerClient: GraphQLTestClient;

beforeAll(async () => {
  runner = await seedRunner(db.pool);
  runnerClient = server.client({ apiKey: runner.apiKey });
});

// A scraper of its own for every run: a scraper runs one run at a time.
const newRun = async () => claimRunFor(server, (await seedScraper(db.pool)).scraperId, runner.apiKey);

async function append(jobId: string, batchId: string, logs: Array<{ level: string; message: string; timestamp?: string }>) {
  const result = await runnerClient.data(APPEND_LOGS, { jobId, batchId, logs });
  return result.appendLogs;
}

async function stored(jobId: string) {
  const { rows } = await db.pool.query<{ seq: number; level: string; message: string }>(
    `SELECT seq, level, message FROM log_line WHERE run_id = $1 ORDER BY seq`,
    [Number(jobId)],
  );
  return rows;
}

async function runCounters(jobId: string) {
  const { rows } = await db.pool.query(
    `SELECT last_seq, debug_count, info_count, warning_count, error_count, critical_count,
            (SELECT count(*) FROM log_batch WHERE run_id = $1) AS batches
       FROM run WHERE id = $1`,
    [Number(jobId)],
  );
  return rows[0];
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('appendLogs under concurrency', () => {
  it('gives many concurrent writers gapless, unique seqs, each batch contiguous and in order', async () => {
    const jobId = await newRun();
    const writers = 12;
    const batchesPerWriter = 4;
    const linesPerBatch = 25;
    const answers = await Promise.all(
      range(1, writers).map(async (w) => {
        const ranges: Array<{ batchId: string; fromSeq: number; toSeq: number }> = [];
        for (let b = 1; b <= batchesPerWriter; b++) {
          const batchId = `w${w}-b${b}`;
          const logs = range(1, linesPerBatch).map((i) => ({ level: LEVELS[i % 5]!, message: `${batchId} line ${i}` }));
          const result = await append(jobId, batchId, logs);
          expect(result.__typename).toBe('MutationAppendLogsSuccess');
          ranges.push({ batchId, ...result.data });
        }
        return ranges;
      }),
    );
    const total = writers * batchesPerWriter * linesPerBatch;
    const rows = await stored(jobId);
    expect(rows.map((r) => r.seq)).toEqual(range(1, total));
    const bySeq = new Map(rows.map((r) => [r.seq, r.message]));
    for (const { batchId, fromSeq, toSeq } of answers.flat()) {
      expect(toSeq - fromSeq + 1).toBe(linesPerBatch);
      // A batch's lines keep their order and sit in the seq range its answer named.
      expect(range(fromSeq, toSeq).map((seq) => bySeq.get(seq))).toEqual(range(1, linesPerBatch).map((i) => `${batchId} line ${i}`));
    }
    const counters = await runCounters(jobId);
    expect(counters.last_seq).toBe(total);
    expect(Number(counters.batches)).toBe(writers * batchesPerWriter);
  });

  it('keeps the per-level counts equal to the stored lines in every snapshot taken while appends run', async () => {
    const jobId = await newRun();
    let appending = true;
    const writers = Promise.all(
      range(1, 6).map(async (w) => {
        for (let b = 1; b <= 6; b++) {
          const logs = range(1, 10 + w).map((i) => ({ level: LEVELS[(i + w) % 5]!, message: `w${w} b${b} ${i}` }));
          await append(jobId, `c-${w}-${b}`, logs);
        }
      }),
    ).finally(() => (appending = false));
    // One statement is one snapshot: counts updated in another transaction would show up as a mismatch.
    const SNAPSHOT = `
      SELECT r.last_seq,
             jsonb_build_object('DEBUG', r.debug_count, 'INFO', r.info_count, 'WARNING', r.warning_count,
                                'ERROR', r.error_count, 'CRITICAL', r.critical_count) AS counts,
             (SELECT coalesce(jsonb_object_agg(level, n), '{}') FROM
                (SELECT level, count(*)::int AS n FROM log_line WHERE run_id = r.id GROUP BY level) l) AS actual,
             (SELECT count(*)::int FROM log_line WHERE run_id = r.id) AS lines
        FROM run r WHERE r.id = $1`;
    let snapshots = 0;
    do {
      const { rows } = await db.pool.query(SNAPSHOT, [Number(jobId)]);
      const snap = rows[0];
      expect(snap.lines).toBe(snap.last_seq);
      for (const level of LEVELS) expect(snap.counts[level]).toBe(snap.actual[level] ?? 0);
      snapshots++;
    } while (appending);
    await writers;
    expect(snapshots).toBeGreaterThan(0);
    const finalCounts = await runCounters(jobId);
    expect(finalCounts.last_seq).toBe((await stored(jobId)).length);
  });

  it('stores a batch retried many times at once exactly once, and answers every retry with the same range', async () => {
    const jobId = await newRun();
    await append(jobId, 'before', [{ level: 'INFO', message: 'first' }]);
    const logs = range(1, 50).map((i) => ({ level: 'INFO', message: `retried ${i}` }));
    const answers = await Promise.all(range(1, 16).map(() => append(jobId, 'same-batch', logs)));
    const data = answers.map((a) => a.data);
    expect(data.filter((d) => !d.duplicate)).toHaveLength(1);
    for (const d of data) expect({ fromSeq: d.fromSeq, toSeq: d.toSeq }).toEqual({ fromSeq: 2, toSeq: 51 });
    // A later retry, after other batches, still gets the first answer and stores nothing.
    await append(jobId, 'after', [{ level: 'ERROR', message: 'later' }]);
    const late = await append(jobId, 'same-batch', logs);
    expect(late.data).toEqual({ fromSeq: 2, toSeq: 51, duplicate: true });
    const rows = await stored(jobId);
    expect(rows.map((r) => r.seq)).toEqual(range(1, 52));
    expect(rows.filter((r) => r.message.startsWith('retried'))).toHaveLength(50);
    const counters = await runCounters(jobId);
    expect(counters).toMatchObject({ last_seq: 52, info_count: 51, error_count: 1 });
    expect(Number(counters.batches)).toBe(3);
  });
});

describe('jobLogs subscription', () => {
  it('replays lines of the largest size in reads of at most 8 MB of messages, every line once and in order', async () => {
    const jobId = await newRun();
    const line = (i: number) => ({ level: 'INFO', message: `${String(i).padStart(6, '0')}${'m'.repeat(64 * 1024 - 6)}` });
    // 320 lines of 64 KiB: 20 MB, which one read of 5000 lines would hold at once.
    for (let b = 0; b < 8; b++) await append(jobId, `big-${b}`, Array.from({ length: 40 }, (_, i) => line(b * 40 + i)));
    const sub = collect(server.admin.ws(), JOB_LOGS_BY_LEVEL, { jobId, afterSeq: 0 });
    const seqs = () => sub.events.flatMap((e: any) => e.jobLogs.lines.map((l: any) => l.seq));
    await sub.waitFor(() => seqs().length >= 320, 30_000);
    expect(seqs()).toEqual(range(1, 320));
    const eventBytes = sub.events.map((e: any) => e.jobLogs.lines.reduce((sum: number, l: any) => sum + Buffer.byteLength(l.message), 0));
    expect(sub.events.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...eventBytes)).toBeLessThanOrEqual(8 * 1024 * 1024 + 64 * 1024);
    sub.dispose();
  });

  it('replays then streams every line exactly once to subscribers that start while appends race them', async () => {
    const jobId = await newRun();
    const batches = 40;
    const perBatch = 5;
    const total = batches * perBatch;
    const ws = server.admin.ws();
    const subs: Array<ReturnType<typeof collect> & { afterSeq: number }> = [];
    const seqsOf = (sub: (typeof subs)[number]) => sub.events.flatMap((e: any) => e.jobLogs.lines.map((l: any) => l.seq));
    for (let b = 1; b <= batches; b++) {
      const logs = range(1, perBatch).map((i) => ({ level: 'INFO', message: `race ${b}.${i}` }));
      // Appends are not awaited before subscribing: each new subscription starts while one is in flight.
      const pending = append(jobId, `race-${b}`, logs);
      if (b % 5 === 1) {
        const afterSeq = b === 1 ? 0 : (b - 3) * perBatch;
        subs.push(Object.assign(collect(ws, JOB_LOGS_BY_LEVEL, { jobId, afterSeq }), { afterSeq }));
      }
      await pending;
    }
    for (const sub of subs) {
      await sub.waitFor(() => seqsOf(sub).length >= total - sub.afterSeq);
      expect(seqsOf(sub)).toEqual(range(sub.afterSeq + 1, total));
      expect(sub.errors).toEqual([]);
      // Every event says where to resume: its lastSeq is the seq of its last line here (no level filter).
      for (const event of sub.events as any[]) expect(event.jobLogs.lastSeq).toBe(event.jobLogs.lines.at(-1).seq);
      sub.dispose();
    }
    await ws.dispose();
  });

  it('delivers a live batch as one event, however many lines it holds', async () => {
    const jobId = await newRun();
    const ws = server.admin.ws();
    const sub = collect(ws, JOB_LOGS_BY_LEVEL, { jobId });
    // Registered once a first line has come through.
    await append(jobId, 'first', [{ level: 'INFO', message: 'first' }]);
    await sub.waitFor(() => sub.events.length >= 1);
    await append(jobId, 'thousand', range(1, 1000).map((i) => ({ level: 'INFO', message: `line ${i}` })));
    await sub.waitFor(() => sub.events.length >= 2);
    expect(sub.events).toHaveLength(2);
    expect((sub.events[1] as any).jobLogs.lines).toHaveLength(1000);
    expect((sub.events[1] as any).jobLogs.lastSeq).toBe(1001);
    sub.dispose();
    await ws.dispose();
  });

  it('filters by minLevel and still reports the last seq covered, so a client resumes without a gap', async () => {
    const jobId = await newRun();
    await append(jobId, 'lv1', LEVELS.map((level) => ({ level, message: `${level} one` })));
    const ws = server.admin.ws();
    const sub = collect(ws, JOB_LOGS_BY_LEVEL, { jobId, afterSeq: 0, minLevel: 'ERROR' });
    const seen = () => sub.events.flatMap((e: any) => e.jobLogs.lines.map((l: any) => `${l.seq}:${l.level}`));
    await sub.waitFor(() => seen().length >= 2);
    await append(jobId, 'lv2', [{ level: 'DEBUG', message: 'hidden' }, { level: 'CRITICAL', message: 'shown' }, { level: 'INFO', message: 'hidden too' }]);
    await sub.waitFor(() => seen().length >= 3);
    expect(seen()).toEqual(['4:ERROR', '5:CRITICAL', '7:CRITICAL']);
    expect((sub.events.at(-1) as any).jobLogs.lastSeq).toBe(8);
    sub.dispose();
    await ws.dispose();
  });
});

describe('message fidelity', () => {
  it('stores and returns messages exactly as sent; a NUL or a lone surrogate becomes U+FFFD as documented', async () => {
    const jobId = await newRun();
    const big = 'x'.repeat(64 * 1024);
    // 4-byte emoji up to exactly 64 KiB of UTF-8.
    const bigEmoji = '😀'.repeat((64 * 1024) / 4);
    const messages = [
      'line one\nline two\r\nline three\ttabbed',
      'emoji 🎉🚀 and combining é and CJK 日本語',
      `quotes " ' \` and backslashes \\ \\n and JSON {"a":[1,2]}`,
      "SQL-ish '); DROP TABLE log_line; --",
      '   leading and trailing spaces   ',
      big,
      bigEmoji,
      'control characters \u0001\u001f\u007f and an escaped \\u0000 stay as sent',
      'before\u0000after\u0000',
      'half a pair \uD83D then the other half \uDE00 alone',
    ];
    const expected = [...messages.slice(0, -2), 'before\uFFFDafter\uFFFD', 'half a pair \uFFFD then the other half \uFFFD alone'];
    const result = await append(jobId, 'fidelity', messages.map((message) => ({ level: 'INFO', message })));
    expect(result.data).toEqual({ fromSeq: 1, toSeq: messages.length, duplicate: false });

    expect((await stored(jobId)).map((r) => r.message)).toEqual(expected);
    const history = await server.admin.data(HISTORY, { jobId, first: 100 });
    expect(history.jobLogs.edges.map((e: any) => e.node.message)).toEqual(expected);

    const ws = server.admin.ws();
    const sub = collect(ws, JOB_LOGS_BY_LEVEL, { jobId });
    const live = () => sub.events.flatMap((e: any) => e.jobLogs.lines.map((l: any) => l.message));
    await sub.waitFor(() => live().length >= expected.length);
    expect(live()).toEqual(expected);
    sub.dispose();
    await ws.dispose();
  });

  it('keeps the runner timestamp for display and orders by seq, not by timestamp', async () => {
    const jobId = await newRun();
    await append(jobId, 'clock', [
      { level: 'INFO', message: 'late clock', timestamp: '2030-01-01T00:00:00.123Z' },
      { level: 'INFO', message: 'early clock', timestamp: '2001-01-01T00:00:00.000Z' },
    ]);
    const history = await server.admin.data(HISTORY, { jobId });
    expect(history.jobLogs.edges.map((e: any) => [e.node.seq, e.node.message, e.node.timestamp])).toEqual([
      [1, 'late clock', '2030-01-01T00:00:00.123Z'],
      [2, 'early clock', '2001-01-01T00:00:00.000Z'],
    ]);
    for (const edge of history.jobLogs.edges) expect(Number.isNaN(Date.parse(edge.node.receivedAt))).toBe(false);
  });

  it('takes every real instant in the runner form, refuses impossible or unstorable dates as invalid variables, and defaults to receipt time', async () => {
    const jobId = await newRun();
    const real = ['2024-02-29T23:59:59.999Z', '2026-01-31T00:00:00.000Z', '2026-12-28T23:00:00.000Z', '0001-01-01T00:00:00.000Z'];
    await append(jobId, 'real-instants', real.map((timestamp, i) => ({ level: 'INFO', message: `real ${i}`, timestamp })));
    await append(jobId, 'no-clock', [{ level: 'INFO', message: 'no clock' }]);
    const history = await server.admin.data(HISTORY, { jobId });
    const nodes = history.jobLogs.edges.map((e: any) => e.node);
    expect(nodes.slice(0, real.length).map((n: any) => n.timestamp)).toEqual(real);
    // Without a runner clock the line's timestamp is the moment it was stored, its receivedAt.
    expect(nodes[real.length].timestamp).toBe(nodes[real.length].receivedAt);

    const impossible = ['2026-02-29T00:00:00.000Z', '2026-04-31T12:00:00.000Z', '2026-01-01T24:00:00.000Z', '2026-13-01T00:00:00.000Z', '2026-01-00T00:00:00.000Z', '2026-01-01T23:60:00.000Z'];
    // Real instants that PostgreSQL cannot store (it has no year 0): refused up front, not failed in the insert.
    const unstorable = ['0000-01-01T00:00:00.000Z', '0001-01-01T00:30:00+01:00'];
    for (const timestamp of [...impossible, ...unstorable]) {
      const response = await runnerClient.request(APPEND_LOGS, { jobId, batchId: `impossible-${timestamp}`, logs: [{ level: 'INFO', message: 'x', timestamp }] });
      expect(response.data, timestamp).toBeUndefined();
      expect(response.errors?.[0]?.message, timestamp).toContain('at "logs[0].timestamp"; DateTime cannot represent');
    }
    expect((await stored(jobId)).length).toBe(real.length + 1);
  });
});

describe('jobLogs history', () => {
  it('pages forward with first and after, filtered by minLevel and contains, without skipping or repeating', async () => {
    const jobId = await newRun();
    const logs = range(1, 60).map((i) => ({ level: LEVELS[i % 5]!, message: i % 3 === 0 ? `Fetched page ${i}` : `parsed item ${i}` }));
    await append(jobId, 'hist', logs);
    const matches = logs
      .map((l, i) => ({ ...l, seq: i + 1 }))
      .filter((l) => LEVELS.indexOf(l.level) >= LEVELS.indexOf('WARNING') && l.message.toLowerCase().includes('fetched'));

    const pages: number[][] = [];
    let after: string | null = null;
    for (;;) {
      const { jobLogs }: any = await server.admin.data(HISTORY, { jobId, first: 4, after, minLevel: 'WARNING', contains: 'FETCHED' });
      pages.push(jobLogs.edges.map((e: any) => e.node.seq));
      for (const e of jobLogs.edges) {
        expect(['WARNING', 'ERROR', 'CRITICAL']).toContain(e.node.level);
        expect(e.node.message).toMatch(/^Fetched/);
      }
      if (!jobLogs.pageInfo.hasNextPage) break;
      after = jobLogs.pageInfo.endCursor;
    }
    expect(pages.flat()).toEqual(matches.map((m) => m.seq));
    expect(pages.slice(0, -1).every((p) => p.length === 4)).toBe(true);

    const all = await server.admin.data(HISTORY, { jobId, first: 1000 });
    expect(all.jobLogs.edges.map((e: any) => e.node.seq)).toEqual(range(1, 60));
    const literal = await server.admin.data(HISTORY, { jobId, contains: '%' });
    expect(literal.jobLogs.edges).toEqual([]);
  });

  it('refuses a negative page size and a search string over 1000 characters', async () => {
    const jobId = await newRun();
    const negative = await server.admin.request(HISTORY, { jobId, first: -1 });
    expect(negative.errors?.length).toBeGreaterThan(0);
    const longSearch = await server.admin.request(HISTORY, { jobId, contains: 'a'.repeat(1001) });
    expect(longSearch.errors?.length).toBeGreaterThan(0);
  });
});

describe('appendLogs input bounds', () => {
  it('refuses oversize, malformed or misdirected batches with typed errors and stores nothing of them', async () => {
    const jobId = await newRun();
    await append(jobId, 'ok', [{ level: 'INFO', message: 'kept' }]);
    const before = await runCounters(jobId);

    const tooMany = await append(jobId, 'too-many', range(1, 1001).map((i) => ({ level: 'INFO', message: `m${i}` })));
    expect(tooMany).toMatchObject({ __typename: 'BatchTooLargeError', limit: 1000, received: 1001 });

    const oneTooBig = await append(jobId, 'too-big', [
      { level: 'INFO', message: 'fine' },
      { level: 'INFO', message: 'y'.repeat(64 * 1024 + 1) },
    ]);
    expect(oneTooBig.__typename).toBe('ValidationError');
    expect(oneTooBig.issues[0].path).toMatch(/logs\.1\.message/);

    // 64 KiB counts bytes, not characters: 16385 four-byte emoji is one character count but 65540 bytes.
    const emojiTooBig = await append(jobId, 'emoji-too-big', [{ level: 'INFO', message: '😀'.repeat(16_385) }]);
    expect(emojiTooBig.__typename).toBe('ValidationError');

    const empty = await append(jobId, 'empty', []);
    expect(empty.__typename).toBe('ValidationError');

    for (const batchId of ['', 'has space', 'x'.repeat(129), 'slash/no']) {
      const bad = await append(jobId, batchId, [{ level: 'INFO', message: 'bad id' }]);
      expect(bad.__typename, batchId).toBe('ValidationError');
    }

    const badLevel = await runnerClient.request(APPEND_LOGS, { jobId, batchId: 'bad-level', logs: [{ level: 'LOUD', message: 'x' }] });
    expect(badLevel.data ?? null).toBeNull();
    expect(badLevel.errors?.[0]?.message).toMatch(/LOUD|LogLevel/);

    const badTimestamp = await runnerClient.request(APPEND_LOGS, {
      jobId,
      batchId: 'bad-ts',
      logs: [{ level: 'INFO', message: 'x', timestamp: 'yesterday' }],
    });
    expect(badTimestamp.errors?.length).toBeGreaterThan(0);

    const unknownJob = await append('987654', 'unknown', [{ level: 'INFO', message: 'nowhere' }]);
    expect(unknownJob).toMatchObject({ __typename: 'NotFoundError', entity: 'Run', id: '987654' });

    for (const badId of ['abc', '0', '-1', '99999999999', '1e3']) {
      expect(await append(badId, 'bad-id', [{ level: 'INFO', message: 'x' }]), badId).toMatchObject({ __typename: 'NotFoundError', entity: 'Run' });
    }

    const after = await runCounters(jobId);
    expect(after).toEqual(before);
    expect((await stored(jobId)).map((r) => r.message)).toEqual(['kept']);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM log_batch WHERE run_id = 987654 OR batch_id <> 'ok' AND run_id = $1`, [
      Number(jobId),
    ]);
    expect(rows[0].n).toBe(0);
  });
});
