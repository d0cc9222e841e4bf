import { describe, expect, it } from 'vitest';
import { applyRun, remember, withLaterEvents } from '../../client/src/lib/live-run-list.ts';

type Run = { id: string; status: string; scraper: string };
const run = (id: number, status: string, scraper = 'slow-farm'): Run => ({ id: String(id), status, scraper });

describe('a live list of runs', () => {
  it('keeps a run the page heard RUNNING when a read taken before that comes back QUEUED', () => {
    const latest = new Map<string, Run>();
    remember(latest, run(7, 'QUEUED'));
    remember(latest, run(7, 'RUNNING'));
    expect(withLaterEvents([run(7, 'QUEUED'), run(6, 'SUCCESS')], latest)).toEqual([run(7, 'RUNNING'), run(6, 'SUCCESS')]);
  });

  it('takes the read where it is as far along as the event or further', () => {
    const latest = new Map<string, Run>();
    remember(latest, run(7, 'RUNNING'));
    expect(withLaterEvents([run(7, 'WARNING')], latest)).toEqual([run(7, 'WARNING')]);
    expect(withLaterEvents([{ ...run(7, 'RUNNING'), scraper: 'read' }], latest)).toEqual([{ ...run(7, 'RUNNING'), scraper: 'read' }]);
  });

  it('puts a run created after the read on top, newest first, within the limit and the filter', () => {
    const latest = new Map<string, Run>();
    remember(latest, run(9, 'QUEUED', 'other'));
    remember(latest, run(8, 'RUNNING'));
    remember(latest, run(3, 'SUCCESS'));
    const read = [run(5, 'SUCCESS'), run(4, 'ERROR')];
    expect(withLaterEvents(read, latest, undefined, 3)).toEqual([run(9, 'QUEUED', 'other'), run(8, 'RUNNING'), run(5, 'SUCCESS')]);
    expect(withLaterEvents(read, latest, (r) => r.scraper === 'slow-farm')).toEqual([run(8, 'RUNNING'), ...read]);
  });

  it('does not bring back an older run the read no longer holds', () => {
    const latest = new Map<string, Run>();
    remember(latest, run(3, 'ERROR'));
    expect(withLaterEvents([run(5, 'SUCCESS')], latest)).toEqual([run(5, 'SUCCESS')]);
  });

  it('remembers the latest event of the 200 runs heard of last', () => {
    const latest = new Map<string, Run>();
    for (let id = 1; id <= 250; id++) remember(latest, run(id, 'QUEUED'));
    remember(latest, run(60, 'RUNNING'));
    expect(latest.size).toBe(200);
    expect(latest.has('50')).toBe(false);
    expect(latest.has('51')).toBe(true);
    expect(latest.get('60')?.status).toBe('RUNNING');
    expect([...latest.keys()].at(-1)).toBe('60');
  });

  it('replaces a shown run in place and ignores a new one the filter refuses', () => {
    const list = [run(2, 'RUNNING'), run(1, 'SUCCESS')];
    expect(applyRun(list, run(2, 'SUCCESS'))).toEqual([run(2, 'SUCCESS'), run(1, 'SUCCESS')]);
    expect(applyRun(list, run(3, 'QUEUED', 'other'), (r) => r.scraper === 'slow-farm')).toBe(list);
  });
});
