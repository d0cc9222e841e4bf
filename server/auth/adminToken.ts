/**
 * The bootstrap admin credential: ADMIN_TOKEN when set; otherwise one generated on first start,
 * printed once and kept under the data folder so that restarts keep it.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.ts';
import { generateSecret } from './secrets.ts';

export async function loadAdminToken(configured: string | undefined, dataDir: string, logger: Logger): Promise<string> {
  if (configured) return configured;
  const file = path.resolve(dataDir, 'admin-token');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const token = generateSecret('token');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  // Printed once, on stdout rather than through the log pipeline, so that it is not shipped to log stores.
  process.stdout.write(`\nAdmin token (shown once, kept in ${file}):\n  ${token}\n\n`);
  logger.info({ file }, 'generated the admin token');
  return token;
}
