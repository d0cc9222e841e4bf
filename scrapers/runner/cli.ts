/**
 * Reads the runner's settings from its command line, falling back to environment variables. The key
 * is best given by SCRAPEDECK_RUNNER_KEY or a file (--key-file): a --key on the command line shows in
 * the process list of every user of the machine.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { runnerLabelsSchema } from '../../contract/runnerLabels.ts';

const settings = z.object({
  api: z.string().url('must be the URL of the GraphQL endpoint, such as http://localhost:4000/graphql'),
  key: z.string().min(1, 'is required: the API key createRunner returned'),
  name: z.string().min(1).max(64),
  concurrency: z.coerce.number().int().min(1).max(64),
  pollMs: z.coerce.number().int().min(50).max(60_000),
  waitSeconds: z.coerce.number().int().min(0).max(3600),
  labels: z.string().transform((text, ctx) => {
    if (text.trim() === '') return null;
    const parsed = runnerLabelsSchema.safeParse(text.split(',').map((label) => label.trim()));
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
    return z.NEVER;
  }),
  heartbeatMs: z.coerce.number().int().min(100).max(10_000, 'must be at most 10000: the API expects a sign of life every 10 s'),
  spoolDir: z.string().min(1),
  graceMs: z.coerce.number().int().min(0),
  flushMs: z.coerce.number().int().min(0),
  memoryLimit: z.coerce.number().int().min(1).max(100_000),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
});

export type RunnerSettings = z.infer<typeof settings>;

export const USAGE = `Usage: npm run runner -- --api URL --key-file FILE [--name NAME] [--concurrency N]
  --api URL            GraphQL endpoint (SCRAPEDECK_API_URL)
  --key-file FILE      file holding the runner API key from createRunner (SCRAPEDECK_RUNNER_KEY_FILE)
                       or set SCRAPEDECK_RUNNER_KEY; both keep the key out of the process list
  --key KEY            the key itself: visible to every user of the machine in ps; prefer the two above
  --name NAME          name in this runner's own logs (RUNNER_NAME; default: host name)
  --concurrency N      runs executed at once (RUNNER_CONCURRENCY; default 1)
  --wait-seconds N     how long the API may hold a claim waiting for a run (RUNNER_WAIT_SECONDS; default 50);
                       0 polls every --poll-ms instead, as a runner must with a server that cannot hold a claim
  --poll-ms MS         wait between empty claims when polling (RUNNER_POLL_MS; default 1000)
  --labels A,B         claim only runs for these of the labels an admin gave this runner (RUNNER_LABELS;
                       default: all of them); a runner cannot give itself a label
  --heartbeat-ms MS    heartbeat interval while a run is in progress (RUNNER_HEARTBEAT_MS; default 5000)
  --spool-dir DIR      where unsent lines wait while the API is away (RUNNER_SPOOL_DIR; default .data/runner-spool/NAME)
  --grace-ms MS        on SIGTERM, how long runs in progress may finish (RUNNER_GRACE_MS; default 20000)
  --flush-ms MS        then how long to keep sending before leaving the rest on disk (RUNNER_FLUSH_MS; default 10000)
  --memory-limit N     operations kept in memory per run before spilling to disk (RUNNER_MEMORY_LIMIT; default 200)
  --log-level LEVEL    (RUNNER_LOG_LEVEL; default info)`;

export function readSettings(argv: string[], env: NodeJS.ProcessEnv): RunnerSettings {
  const { values } = parseArgs({
    args: argv,
    options: {
      api: { type: 'string' },
      key: { type: 'string' },
      'key-file': { type: 'string' },
      name: { type: 'string' },
      concurrency: { type: 'string' },
      'poll-ms': { type: 'string' },
      'wait-seconds': { type: 'string' },
      labels: { type: 'string' },
      'heartbeat-ms': { type: 'string' },
      'spool-dir': { type: 'string' },
      'grace-ms': { type: 'string' },
      'flush-ms': { type: 'string' },
      'memory-limit': { type: 'string' },
      'log-level': { type: 'string' },
    },
    strict: true,
  });
  const name = values.name ?? env.RUNNER_NAME ?? os.hostname();
  const keyFile = values['key-file'] ?? env.SCRAPEDECK_RUNNER_KEY_FILE;
  const parsed = settings.safeParse({
    api: values.api ?? env.SCRAPEDECK_API_URL,
    key: values.key ?? (keyFile !== undefined ? readKeyFile(keyFile) : undefined) ?? env.SCRAPEDECK_RUNNER_KEY ?? '',
    name,
    concurrency: values.concurrency ?? env.RUNNER_CONCURRENCY ?? 1,
    pollMs: values['poll-ms'] ?? env.RUNNER_POLL_MS ?? 1000,
    waitSeconds: values['wait-seconds'] ?? env.RUNNER_WAIT_SECONDS ?? 50,
    labels: values.labels ?? env.RUNNER_LABELS ?? '',
    heartbeatMs: values['heartbeat-ms'] ?? env.RUNNER_HEARTBEAT_MS ?? 5000,
    spoolDir: values['spool-dir'] ?? env.RUNNER_SPOOL_DIR ?? path.join('.data', 'runner-spool', name.replace(/[^A-Za-z0-9._-]/g, '_')),
    graceMs: values['grace-ms'] ?? env.RUNNER_GRACE_MS ?? 20_000,
    flushMs: values['flush-ms'] ?? env.RUNNER_FLUSH_MS ?? 10_000,
    memoryLimit: values['memory-limit'] ?? env.RUNNER_MEMORY_LIMIT ?? 200,
    logLevel: values['log-level'] ?? env.RUNNER_LOG_LEVEL ?? 'info',
  });
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `--${String(i.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${i.message}`).join('\n'));
  }
  return parsed.data;
}

/** The key in a file (a secret mounted by an orchestrator, say): its first line, without surrounding blanks. */
function readKeyFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`--key-file ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      cause: error,
    });
  }
  const key = text.split(/\r?\n/)[0]!.trim();
  if (!key) throw new Error(`--key-file ${file} holds no key`);
  return key;
}

/** Whether the key came on the command line, where every user of the machine can read it. */
export function keyOnCommandLine(argv: string[]): boolean {
  return argv.some((arg) => arg === '--key' || arg.startsWith('--key='));
}
