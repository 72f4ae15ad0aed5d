/** One measured figure in the benchmark report. */
export interface BenchRow {
  /** What was measured, e.g. "health-check: 200 targets × 250 ms, concurrency 32". */
  name: string;
  /** The figure, e.g. 412 */
  value: number;
  unit: 'ms' | 'requests' | 'writes' | 'MB' | 'x' | 's' | 'count';
  /** The goal in words, e.g. "≤ 1.3 × 250 ms + start-up". */
  goal?: string;
  /** Whether the goal was met (undefined when there is no goal). */
  ok?: boolean;
  note?: string;
}

/** A benchmark module: `bench/<area>.ts` default-exports one of these. */
export type Bench = () => Promise<BenchRow[]>;
