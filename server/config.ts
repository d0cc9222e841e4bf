/** Reads the environment once, parses and types it: no other module reads process.env. */
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('.data'),
  ADMIN_TOKEN: z.string().min(16, 'ADMIN_TOKEN must be at least 16 characters').optional(),
  DEMO: bool.default(true),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  GRAPHIQL: bool.optional(),
  INTROSPECTION: bool.optional(),
  RUN_LEASE_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  CLAIM_WAIT_MAX_SECONDS: z.coerce.number().int().min(0).max(3600).default(300),
  WORK_WAIT_MAX_SECONDS: z.coerce.number().int().min(10).max(86_400).default(1800),
  CLAIM_WAIT_MAX_RUNNERS: z.coerce.number().int().min(0).max(1_000_000).default(0),
  SUBSCRIBER_QUEUE_LIMIT: z.coerce.number().int().min(10).default(10_000),
  PUBSUB_URL: z
    .string()
    .url()
    .refine((url) => /^rediss?:\/\//.test(url), 'PUBSUB_URL must be a redis:// or rediss:// URL')
    .optional(),
  SCHEDULER: bool.default(true),
  // At least two tick intervals: a pass can start half a minute after the minute it serves.
  SCHEDULER_GRACE_SECONDS: z.coerce.number().int().min(120).max(86_400).default(180),
  RUN_RETRY_BACKOFF_SECONDS: z.coerce.number().int().min(0).max(86_400).default(30),
  /** Lines older than this are deleted in the background; 0 keeps them forever. */
  LOG_RETENTION_DAYS: z.coerce.number().int().min(0).max(36500).default(30),
  LOG_RETENTION_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(3600),
  RATE_LIMIT_MUTATIONS_PER_MINUTE: z.coerce.number().int().min(0).default(12_000),
  RATE_LIMIT_IP_MUTATIONS_PER_MINUTE: z.coerce.number().int().min(0).default(60_000),
  RATE_LIMIT_CONNECTIONS_PER_MINUTE: z.coerce.number().int().min(0).default(300),
  /** A client gets this long to send its request line and headers (slow-header clients hold sockets). */
  HEADERS_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(300).default(20),
  TRUST_PROXY: bool.default(false),
  /** Where people reach the admin; links in alerts point here. Defaults to this server on localhost. */
  PUBLIC_URL: z
    .string()
    .url()
    .refine((url) => /^https?:\/\//.test(url), 'PUBLIC_URL must be an http or https URL')
    .optional(),
  /** smtp://user:password@host:port (smtps:// for TLS from the start); email channels need it. */
  SMTP_URL: z
    .string()
    .refine((url) => /^smtps?:\/\/[^/\s]+/.test(url), 'SMTP_URL must be an smtp:// or smtps:// URL')
    .optional(),
  ALERTS_FROM: z.string().min(3).default('Scrapedeck <alerts@localhost>'),
  /**
   * Let webhooks and Slack post to loopback and private addresses (a lab, the demo, tests); never in a
   * shared deployment. Unset, it follows DEMO: the demo's alerts go to a receiver on 127.0.0.1.
   */
  ALERTS_ALLOW_PRIVATE_TARGETS: bool.optional(),
  /** Seconds before each retry of a failed delivery; after the last, the notification is FAILED. */
  ALERT_RETRY_SCHEDULE_SECONDS: z
    .string()
    .default('10,60,600,3600,21600')
    .transform((value) => value.split(',').map((part) => Number(part.trim())))
    .refine((delays) => delays.length >= 1 && delays.length <= 20 && delays.every((d) => Number.isFinite(d) && d >= 0 && d <= 86_400), 'ALERT_RETRY_SCHEDULE_SECONDS must be a comma-separated list of 1 to 20 delays of 0..86400 seconds'),
  /** How often the alert pass stores freshness and looks for runs that never started (one instance at a time). */
  ALERT_PASS_INTERVAL_SECONDS: z.coerce.number().min(1).max(3600).default(60),
  /** A runner is online while its last API call is younger than this (auth records calls to within 5 s). */
  RUNNER_ONLINE_WINDOW_SECONDS: z.coerce.number().min(0.1).max(3600).default(15),
  /** How often each instance with runnerUpdated subscribers looks for runners that went offline or came back. */
  RUNNER_PRESENCE_SWEEP_SECONDS: z.coerce.number().min(0.05).max(600).default(5),
  /**
   * Database connections reserved for exports, apart from the pool that ingest (appendLogs) and the
   * API use: a long export never takes a connection a runner needs, and exports beyond it wait.
   */
  EXPORT_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(4),
  /** A log search is stopped (LogSearchTimeoutError) when it runs longer than this. */
  LOG_SEARCH_TIMEOUT_SECONDS: z.coerce.number().min(0.001).max(300).default(5),
  /** Database connections reserved for log searches, apart from ingest's and the API's. */
  LOG_SEARCH_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(2),
  CORS_ORIGINS: z
    .string()
    .default('*')
    .transform((value) => value.trim())
    .refine(
      (value) => value === '*' || value === 'none' || value.split(',').every((origin) => /^https?:\/\/[^/\s]+$/.test(origin.trim())),
      'CORS_ORIGINS must be *, none, or a comma-separated list of origins such as https://tools.example.com',
    ),
});

/** graphql-ws's own default: a dead peer holds its subscriptions for 12 to 24 s. */
const WEBSOCKET_KEEPALIVE_MS = 12_000;

export type Config = {
  port: number;
  host: string;
  /** Unset: an embedded PostgreSQL is started under dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  adminToken: string | undefined;
  demo: boolean;
  production: boolean;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  graphiql: boolean;
  introspection: boolean;
  runLeaseSeconds: number;
  /** The longest claimRun wait a runner may ask for (waitSeconds). */
  claimWaitMaxSeconds: number;
  /** How long a runner's workAvailable subscription waits for a signal before it ends (and the runner subscribes again). */
  workWaitMaxSeconds: number;
  /** How many runners may wait on this instance at once; 0 derives it from the heap limit (see ClaimWaiters). */
  claimWaitMaxRunners: number;
  headersTimeoutSeconds: number;
  /**
   * How often each websocket is pinged: one that has not answered by the next ping is cut off, and
   * its subscriptions released. Not an environment setting; a test shortens it to see a cut-off.
   */
  websocketKeepAliveMs: number;
  /**
   * While runners wait, how often every scraper is read for a run left claimable (a signal lost on
   * its way). Not an environment setting; a test shortens it.
   */
  claimSweepMs: number;
  /** Lines a subscriber may have waiting before it is closed as too slow. */
  subscriberQueueLimit: number;
  /** redis://…: live log fan-out between instances over Redis pub/sub instead of NOTIFY. */
  pubsubUrl: string | undefined;
  /** Whether this instance takes part in scheduling (ticks, lease expiry, retries). */
  scheduler: boolean;
  /** A fire time older than this when the scheduler reaches it was missed: the missed-run policy decides. */
  schedulerGraceSeconds: number;
  /** The first retry of a failed run waits this long, each next one twice as long. */
  retryBackoffSeconds: number;
  /** Days log lines are kept; 0 keeps them forever. */
  logRetentionDays: number;
  /** How often a retention pass runs (the first one at most a minute after start). */
  logRetentionIntervalSeconds: number;
  /** Mutations a minute per API key or token, and per client IP (0: no limit). */
  rateLimitMutationsPerMinute: number;
  rateLimitIpMutationsPerMinute: number;
  /** Websocket connections a minute per credential and per client IP (0: no limit). */
  rateLimitConnectionsPerMinute: number;
  /** Take the client IP from X-Forwarded-For (only behind a load balancer that sets it). */
  trustProxy: boolean;
  /** Origins whose pages may call /graphql from a browser: any ('*'), none besides the admin's own, or these. */
  corsOrigins: '*' | string[];
  /** The admin's public address, without a trailing slash: links in alerts point here. */
  publicUrl: string;
  /** The SMTP server email channels send through; unset, email notifications fail with a clear error. */
  smtpUrl: string | undefined;
  alertsFrom: string;
  alertsAllowPrivateTargets: boolean;
  /** Seconds before each retry of a failed delivery. */
  alertRetryScheduleSeconds: number[];
  alertPassIntervalSeconds: number;
  runnerOnlineWindowSeconds: number;
  runnerPresenceSweepSeconds: number;
  /** Database connections exports stream from (a pool of their own, see server/exports/exportPool.ts). */
  exportPoolSize: number;
  /** A log search's statement timeout, and the pool searches run on (see server/logs/search/searchPool.ts). */
  logSearchTimeoutSeconds: number;
  logSearchPoolSize: number;
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    adminToken: e.ADMIN_TOKEN,
    demo: e.DEMO,
    production,
    logLevel: e.LOG_LEVEL,
    graphiql: e.GRAPHIQL ?? !production,
    introspection: e.INTROSPECTION ?? !production,
    runLeaseSeconds: e.RUN_LEASE_SECONDS,
    claimWaitMaxSeconds: e.CLAIM_WAIT_MAX_SECONDS,
    workWaitMaxSeconds: e.WORK_WAIT_MAX_SECONDS,
    claimWaitMaxRunners: e.CLAIM_WAIT_MAX_RUNNERS,
    headersTimeoutSeconds: e.HEADERS_TIMEOUT_SECONDS,
    websocketKeepAliveMs: WEBSOCKET_KEEPALIVE_MS,
    claimSweepMs: 10_000,
    subscriberQueueLimit: e.SUBSCRIBER_QUEUE_LIMIT,
    pubsubUrl: e.PUBSUB_URL,
    scheduler: e.SCHEDULER,
    schedulerGraceSeconds: e.SCHEDULER_GRACE_SECONDS,
    retryBackoffSeconds: e.RUN_RETRY_BACKOFF_SECONDS,
    logRetentionDays: e.LOG_RETENTION_DAYS,
    logRetentionIntervalSeconds: e.LOG_RETENTION_INTERVAL_SECONDS,
    rateLimitMutationsPerMinute: e.RATE_LIMIT_MUTATIONS_PER_MINUTE,
    rateLimitIpMutationsPerMinute: e.RATE_LIMIT_IP_MUTATIONS_PER_MINUTE,
    rateLimitConnectionsPerMinute: e.RATE_LIMIT_CONNECTIONS_PER_MINUTE,
    trustProxy: e.TRUST_PROXY,
    corsOrigins: e.CORS_ORIGINS === '*' ? '*' : e.CORS_ORIGINS === 'none' ? [] : e.CORS_ORIGINS.split(',').map((origin) => origin.trim()),
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    smtpUrl: e.SMTP_URL,
    alertsFrom: e.ALERTS_FROM,
    alertsAllowPrivateTargets: e.ALERTS_ALLOW_PRIVATE_TARGETS ?? e.DEMO,
    alertRetryScheduleSeconds: e.ALERT_RETRY_SCHEDULE_SECONDS,
    alertPassIntervalSeconds: e.ALERT_PASS_INTERVAL_SECONDS,
    runnerOnlineWindowSeconds: e.RUNNER_ONLINE_WINDOW_SECONDS,
    runnerPresenceSweepSeconds: e.RUNNER_PRESENCE_SWEEP_SECONDS,
    exportPoolSize: e.EXPORT_POOL_SIZE,
    logSearchTimeoutSeconds: e.LOG_SEARCH_TIMEOUT_SECONDS,
    logSearchPoolSize: e.LOG_SEARCH_POOL_SIZE,
  };
}
