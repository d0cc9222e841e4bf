/** The fleet phase's rows of the printed table (see fleet.ts), each target beside the figure it is set for. */
import type { FleetFigures, FleetLevelFigures } from './fleet.ts';
import { round } from './stats.ts';

const mb = (bytes: number) => `${round(bytes / 2 ** 20, 1)} MB`;
const ms = (value: number) => `${round(value, 2)} ms`;
const n = (value: number) => Math.round(value).toLocaleString('en-US');
const verdict = (target: { met: boolean }) => (target.met ? 'met' : 'not met');

type Row = [figure: string, value: string, ceiling: string, ratio: string, target: string];

export function fleetRows(f: FleetFigures): Row[] {
  // The targets are set for the largest fleet; one the server never reached has not met them.
  const most = f.unreached ? Number.NaN : Math.max(...f.levels.map((l) => l.runners));
  const t = f.targets;
  const b = f.baseline;
  const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, c) => a + c, 0);
  const server = (l: FleetLevelFigures) =>
    `CPU ${round(l.serverCpu, 3)} cores (busiest second ${round(l.serverCpuPeak, 2)}), RSS ${mb(l.rss)} (peak ${mb(l.peakRss)}), heap in use ${mb(l.heapUsed)}, ` +
    `longest event loop delay ${ms(l.eventLoopDelayMax)}`;
  const postgres = (l: FleetLevelFigures) =>
    `PostgreSQL CPU ${round(l.postgresCpu, 3)} cores; server sockets ${n(l.serverSockets)}; PostgreSQL connections ${l.databaseConnections.server} of the server's (${l.databaseConnections.total} in all)`;
  const admin = (l: FleetLevelFigures) => `p50 ${ms(l.admin.p50)}, p99 ${ms(l.admin.p99)}`;
  const waitKind = f.heldClaims ? `holding claimRun open over HTTP (${f.waitSeconds} s waits)` : 'waiting on workAvailable (over websocket)';
  const rows: Row[] = [
    [`fleet: no runner, admin runs(first: 20) at ${f.adminPerSecond}/s for ${round(b.seconds, 0)} s (${b.admin.samples} requests): server`, server(b), '', '', ''],
    [`fleet: no runner: PostgreSQL, and connections halfway through the window`, postgres(b), '', '', ''],
    [`fleet: no runner: admin runs(first: 20)`, admin(b), '', '', ''],
  ];
  for (const l of f.levels) {
    const largest = l.runners === most;
    rows.push([
      `fleet: ${n(l.runners)} idle runners ${waitKind} (in the ${round(l.seconds, 0)} s window ${n(l.claimsAnswered)} waits ended, ` +
        `${n(l.claimsEarly)} early, ${n(sum(l.runnerErrors))} failed, ${n(sum(l.serverErrors))} server errors; the runners' own process ${round(l.runnersCpu, 2)} cores): server`,
      l.claimsAnswered > 0 ? `${server(l)}; ${round(l.cpuMsPerClaim, 2)} ms of CPU a wait ended beyond no runner` : server(l),
      `no runner: CPU ${round(b.serverCpu, 3)} cores, RSS ${mb(b.rss)}`,
      '',
      largest ? `CPU < ${t.serverCpu.target} core: ${verdict(t.serverCpu)}; RSS < ${mb(t.rss.target)}: ${verdict(t.rss)}` : '',
    ]);
    rows.push([`fleet: ${n(l.runners)} idle runners: PostgreSQL, and connections halfway through the window`, postgres(l), `no runner: PostgreSQL CPU ${round(b.postgresCpu, 3)} cores`, '', '']);
    rows.push([
      `fleet: admin runs(first: 20) at ${f.adminPerSecond}/s beside ${n(l.runners)} idle runners (${l.admin.samples} requests)`,
      admin(l),
      `no runner: ${admin(b)}`,
      `${round(l.admin.p50 / b.admin.p50, 2)}×, ${round(l.adminP99Ratio, 2)}×`,
      largest ? `p99 ≤ ${t.adminP99Ratio.target}× of no runner: ${verdict(t.adminP99Ratio)}` : '',
    ]);
    if (l.runners === f.wakeUp?.runners) rows.push(wakeUpRow(f));
  }
  if (!f.wakeUp) rows.push(wakeUpRow(f));
  if (f.unreached) {
    const u = f.unreached;
    rows.push([
      `fleet: ${n(u.runners)} idle runners never counted waiting (scrapedeck_runners_waiting at most ${u.waiting === null ? 'never read' : n(u.waiting)}): ${u.failure}`,
      'not measured',
      '',
      '',
      `CPU < ${t.serverCpu.target} core, RSS < ${mb(t.rss.target)}, admin p99 ≤ ${t.adminP99Ratio.target}×: not met`,
    ]);
  }
  rows.push([`fleet: runners' process stopped, until none is counted waiting`, f.drainSeconds === null ? 'never (the server had gone, or 60 s passed)' : `${round(f.drainSeconds, 1)} s`, '', '', '']);
  return rows;
}

function wakeUpRow(f: FleetFigures): Row {
  const w = f.wakeUp;
  const target = `p99 < ${f.targets.wakeUpP99.target} ms: ${verdict(f.targets.wakeUpP99)}`;
  if (!w) return ['fleet: triggerRun to the claim answered', 'not measured: the fleet it is measured with was never reached', '', '', target];
  return [
    `fleet: triggerRun to the claim answered, ${w.triggers} runs one after another with ${n(w.runners)} idle runners (${w.claimed} claimed, ${w.wakeups} runners woken)`,
    `p50 ${ms(w.p50)}, p99 ${ms(w.p99)}, max ${ms(w.max)}`,
    '',
    '',
    target,
  ];
}
