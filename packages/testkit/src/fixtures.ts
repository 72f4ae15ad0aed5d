import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The testkit's data files: recorded CI job logs (fixtures/logs) and the like. */
export const FIXTURES_DIR = path.resolve(import.meta.dirname, '..', 'fixtures');

/** A recorded job log, by file name: `logFixture('docker-build-503.log')`. */
export function logFixture(name: string): string {
  return readFileSync(path.join(FIXTURES_DIR, 'logs', name), 'utf8');
}
