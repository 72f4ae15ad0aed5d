import { afterAll } from 'vitest';
import { cleanupTempDirs, tempDir } from './temp';

/** In a vitest file: temp dirs (runAction's included) are removed after the file's tests. Returns tempDir. */
export function useTempDirs(): typeof tempDir {
  afterAll(cleanupTempDirs);
  return tempDir;
}
