import { describe, expect, it } from 'vitest';
import { runAction } from '@recovery/testkit/harness';
import { useEmulator } from '@recovery/testkit/emulator/vitest';

const emu = useEmulator();

// Repository variables have no compare-and-swap: the store re-reads after each write and re-applies a
// change a concurrent run overwrote. This proves no increment is lost when runs race.
describe('state store under concurrent runs', () => {
  it('counts exactly 10 failures from 10 runs started at once (20 trials)', async () => {
    for (let trial = 0; trial < 20; trial++) {
      const r = emu().createRepo(`octo/race-${trial}`);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          runAction('circuit-breaker', {
            inputs: { command: 'record-failure', reason: `run ${i}` },
            apiUrl: emu().url,
            token: 'test-token',
            repository: r.fullName,
            runId: 50_000 + trial * 100 + i,
            env: { RECOVERY_SETTLE_MS: '800' },
          }),
        ),
      );
      for (const res of results) expect(res.code, res.stdout + res.stderr).toBe(0);
      expect(JSON.parse(r.variable('RECOVERY_STATE')!).breaker.recovery.failures, `trial ${trial}`).toBe(10);
    }
  }, 600_000);
});
