/**
 * CPU time used by the server process and by the benchmark's PostgreSQL (all of its processes),
 * read from /proc: on a machine that other work shares, CPU seconds per line say what a phase costs
 * where wall-clock rates drift with the neighbours' load.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';

const TICKS_PER_SECOND = 100;

/** The fields of /proc/<pid>/stat after the command name, which is in parentheses and may hold spaces. */
async function statFields(pid: number): Promise<string[] | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null; // the process ended between listing and reading: it has nothing more to count
  }
}

/** User and system CPU seconds a process has used so far (the 14th and 15th fields of its stat). */
export async function processCpuSeconds(pid: number): Promise<number> {
  const fields = await statFields(pid);
  return fields ? (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND : 0;
}

/**
 * CPU seconds used so far by the database's postmaster and its children (backends, WAL writer,
 * checkpointer, autovacuum): the living ones' own, and the ended ones' as the postmaster, which
 * waited for them, holds it (the 16th and 17th fields of its stat).
 */
export async function databaseCpuSeconds(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ dir: string }>(`SELECT current_setting('data_directory') AS dir`);
  const postmaster = Number((await readFile(path.join(rows[0]!.dir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  const own = await statFields(postmaster);
  let seconds = own ? (Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14])) / TICKS_PER_SECOND : 0;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = await statFields(Number(entry));
    if (fields && Number(fields[1]) === postmaster) seconds += (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  }
  return seconds;
}
