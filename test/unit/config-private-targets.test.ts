/** Whether alerts may be sent to loopback and private addresses: the demo needs it, a deployment must not default to it. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';

describe('ALERTS_ALLOW_PRIVATE_TARGETS', () => {
  it('follows DEMO when unset: the demo alerts a receiver on 127.0.0.1, a deployment without the demo allows only public targets', () => {
    expect(loadConfig({ DEMO: 'true' }).alertsAllowPrivateTargets).toBe(true);
    expect(loadConfig({}).alertsAllowPrivateTargets).toBe(true);
    expect(loadConfig({ DEMO: 'false' }).alertsAllowPrivateTargets).toBe(false);
  });

  it('when set, wins over DEMO either way', () => {
    expect(loadConfig({ DEMO: 'true', ALERTS_ALLOW_PRIVATE_TARGETS: 'false' }).alertsAllowPrivateTargets).toBe(false);
    expect(loadConfig({ DEMO: 'false', ALERTS_ALLOW_PRIVATE_TARGETS: 'true' }).alertsAllowPrivateTargets).toBe(true);
  });
});
