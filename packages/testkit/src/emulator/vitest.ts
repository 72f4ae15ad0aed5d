import { afterAll, afterEach, beforeAll } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from './index';

/**
 * One emulator per test file, started in beforeAll and closed in afterAll. After each test, faults and
 * route overrides are cleared and any OpenAPI violation fails the test (then the list is reset).
 *
 *   const emu = useEmulator();
 *   it('…', async () => { const repo = emu().createRepo('octo/app'); … });
 */
export function useEmulator(opts: EmulatorOptions = {}): () => Emulator {
  let emu: Emulator | undefined;
  beforeAll(async () => {
    emu = await startEmulator(opts);
  });
  afterEach(() => {
    emu?.clearFaults();
    emu?.clearOverrides();
    emu?.assertNoViolations();
  });
  afterAll(async () => {
    await emu?.close();
  });
  return () => {
    if (!emu) throw new Error('useEmulator(): the emulator starts in beforeAll; call emu() inside tests or hooks');
    return emu;
  };
}
