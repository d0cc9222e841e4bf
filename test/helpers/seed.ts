/** Inserts the rows a test needs straight into its database, so that a test starts from known state. */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { generateSecret, hashSecret } from '../../server/auth/secrets.ts';

export async function seedScraper(
  pool: pg.Pool,
  fields: { slug?: string; enabled?: boolean; cron?: string | null; config?: unknown } = {},
): Promise<{ scraperId: number; sourceId: number; slug: string }> {
  const slug = fields.slug ?? `scraper-${randomBytes(4).toString('hex')}`;
  const { rows: sources } = await pool.query<{ id: number }>(
    `INSERT INTO source (name, url) VALUES ($1, $2) RETURNING id`,
    [`${slug} source`, `http://127.0.0.1/${slug}`],
  );
  const sourceId = sources[0]!.id;
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO scraper (slug, name, source_id, enabled, cron, config) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [slug, `Scraper ${slug}`, sourceId, fields.enabled ?? true, fields.cron ?? null, JSON.stringify(fields.config ?? {})],
  );
  return { scraperId: rows[0]!.id, sourceId, slug };
}

export async function seedRunner(pool: pg.Pool, name = `runner-${randomBytes(4).toString('hex')}`) {
  const apiKey = generateSecret('runner');
  const { rows } = await pool.query<{ id: number }>(`INSERT INTO runner (name, key_hash) VALUES ($1, $2) RETURNING id`, [
    name,
    hashSecret(apiKey),
  ]);
  return { runnerId: rows[0]!.id, apiKey, name };
}

export async function seedToken(pool: pg.Pool, role: 'ADMIN' | 'VIEWER') {
  const token = generateSecret('token');
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO api_token (name, role, token_hash) VALUES ($1, $2, $3) RETURNING id`,
    [`${role.toLowerCase()} test token`, role, hashSecret(token)],
  );
  return { tokenId: rows[0]!.id, token };
}
