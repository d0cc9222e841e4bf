/**
 * Who runs the embedded PostgreSQL of a data directory. A start records itself as the owner; a start
 * that finds the cluster still running (its postmaster.pid names a live postgres) asks whether that
 * owner is alive: if it is, another Scrapedeck uses the directory and this start stops with a message
 * naming it; if not (a start killed with SIGKILL leaves its postmaster orphaned), the cluster is shut
 * down cleanly and started again. A process is named by its pid and its start time, so that a pid the
 * system has since given to another process is not mistaken for the owner; a postmaster must also
 * run in this data directory. Without an owner on record (a cluster started by an older version), a
 * postmaster whose parent is gone (adopted by init, pid 1) is taken as orphaned.
 */
import { readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger.ts';

type ProcessId = { pid: number; startTime: string | null };

const OWNER_FILE = 'owner.json';
/** Fast shutdown (SIGINT) disconnects clients and checkpoints; past this it is asked to quit at once. */
const SHUTDOWN_WAIT_MS = 30_000;

/** The start time of a process in clock ticks since boot (Linux), or null where /proc has none. */
function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command may hold spaces and parentheses: fields are counted after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(id: ProcessId): boolean {
  try {
    process.kill(id.pid, 0);
  } catch (error) {
    // EPERM: it exists, under another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return id.startTime === null || startTimeOf(id.pid) === id.startTime;
}

/** The running postmaster of the cluster, from its lock file: null when none runs. */
function runningPostmaster(databaseDir: string): { pid: number; parentPid: number | null } | null {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(databaseDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive({ pid, startTime: null })) return null;
  let workingDir: string;
  let parentPid: number | null = null;
  try {
    workingDir = readlinkSync(`/proc/${pid}/cwd`);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    parentPid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch (error) {
    // No /proc: a live pid in the lock file is taken to be the postmaster.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !existsProc()) return { pid, parentPid };
    return null;
  }
  // A postmaster runs in its data directory; a pid of a stale lock file that now belongs to another
  // process (a system PostgreSQL among them) runs elsewhere, and PostgreSQL itself sees to the file.
  return workingDir === realpathSync(databaseDir) ? { pid, parentPid } : null;
}

const existsProc = () => {
  try {
    readlinkSync('/proc/self/cwd');
    return true;
  } catch {
    return false;
  }
};

/** Signals a process, which may have ended meanwhile; true when it was still there. */
function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw new Error(`cannot stop the orphaned PostgreSQL (process ${pid}): ${(error as Error).message}`, { cause: error });
  }
}

function readOwner(file: string): ProcessId | null {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as ProcessId;
    return Number.isInteger(owner.pid) ? owner : null;
  } catch {
    return null;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive({ pid, startTime: null })) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/**
 * Makes this process the owner of the cluster in databaseDir: shuts down a postmaster orphaned by
 * an earlier start, refuses when a live one owns it. Returns the function that gives ownership back.
 */
export async function claimEmbeddedCluster(dataDir: string, databaseDir: string, logger: Logger): Promise<() => void> {
  const ownerFile = path.join(dataDir, OWNER_FILE);
  const postmaster = runningPostmaster(databaseDir);
  if (postmaster) {
    const owner = readOwner(ownerFile);
    const orphaned = owner ? !isAlive(owner) : postmaster.parentPid === 1;
    if (!orphaned) {
      const who = owner ? `Scrapedeck process ${owner.pid}` : `process ${postmaster.parentPid ?? 'unknown'}`;
      throw new Error(`the embedded PostgreSQL in ${databaseDir} is in use by ${who}; stop it first, or set DATA_DIR to another folder`);
    }
    logger.warn({ pid: postmaster.pid, databaseDir }, 'the embedded PostgreSQL of a start that did not stop is still running; shutting it down');
    if (signal(postmaster.pid, 'SIGINT') && !(await waitForExit(postmaster.pid, SHUTDOWN_WAIT_MS))) {
      logger.warn({ pid: postmaster.pid }, 'the orphaned PostgreSQL did not shut down in time; asking it to quit at once');
      signal(postmaster.pid, 'SIGQUIT');
      if (!(await waitForExit(postmaster.pid, SHUTDOWN_WAIT_MS))) throw new Error(`the orphaned PostgreSQL (process ${postmaster.pid}) in ${databaseDir} does not stop`);
    }
    logger.info({ pid: postmaster.pid }, 'the orphaned embedded PostgreSQL has stopped');
  }
  const self: ProcessId = { pid: process.pid, startTime: startTimeOf(process.pid) };
  writeFileSync(ownerFile, JSON.stringify(self));
  return () => {
    if (readOwner(ownerFile)?.pid === self.pid) rmSync(ownerFile, { force: true });
  };
}
