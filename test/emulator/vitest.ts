import { afterAll, afterEach, beforeAll } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from './index';

/**
 * One emulator per test file. After each test: OpenAPI violations fail the test, faults are cleared.
 * Use `emu()` inside tests (it is started in beforeAll).
 */
export function useEmulator(opts: EmulatorOptions = {}): () => Emulator {
  let emu: Emulator | undefined;
  beforeAll(async () => {
    emu = await startEmulator(opts);
  });
  afterEach(() => {
    emu?.clearFaults();
    emu?.assertNoViolations();
  });
  afterAll(async () => {
    await emu?.close();
  });
  return () => {
    if (!emu) throw new Error('the emulator starts in beforeAll');
    return emu;
  };
}
