import { describe, expect, it } from 'vitest';
import { runAction } from '@recovery/testkit/harness';
import { useEmulator } from '@recovery/testkit/emulator/vitest';

const emu = useEmulator();

// The bundled circuit-breaker, 10 runs at once on one scope, against the emulator: each failure is
// counted once. The protocol itself (claims, every interleaving) is proven with logical time in
// state-schedules.test.ts; this shows the shipped bundle and the real client take part in it: no
// settle time, no sleep margin. The only timing is the deadline (600 s for the three trials, each run's too): a margin
// for a slow machine's speed, never part of what is checked (`npm run soak` runs this beside a CPU hog).
describe('state store under concurrent runs (bundles)', () => {
  it('counts exactly 10 failures from 10 runs started at once (3 trials)', async () => {
    for (let trial = 0; trial < 3; trial++) {
      const r = emu().createRepo(`octo/race-${trial}`);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          runAction('circuit-breaker', {
            inputs: { command: 'record-failure', reason: `run ${i}` },
            apiUrl: emu().url,
            token: 'test-token',
            repository: r.fullName,
            runId: 50_000 + trial * 100 + i,
            // The file's deadline is the only one: a run that a loaded machine starts late is not killed.
            timeoutMs: 590_000,
          }),
        ),
      );
      for (const res of results) expect(res.code, res.stdout + res.stderr).toBe(0);
      const state = JSON.parse(r.variable('RECOVERY_STATE')!);
      expect(state.breaker.recovery.failures, `trial ${trial}`).toBe(10);
      expect(state.applied, `trial ${trial}`).toHaveLength(10);
    }
  }, 600_000);
});
