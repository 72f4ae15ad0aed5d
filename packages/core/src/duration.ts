/** Durations as people write them in policies and inputs: `30s`, `5m`, `1h`, `1h30m`, `250ms`, or a bare number of seconds. */
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;

export const DURATION_HINT = 'a duration like 30s, 5m, 1h or 1h30m';

/** Parses a duration to milliseconds, or returns undefined when the text is not a duration. */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text * 1000 : undefined;
  const s = text.trim().toLowerCase();
  if (s === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  let total = 0;
  PART.lastIndex = 0;
  let consumed = 0;
  for (let m = PART.exec(s); m; m = PART.exec(s)) {
    total += Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
    consumed = PART.lastIndex;
  }
  return consumed === s.length && consumed > 0 ? Math.round(total) : undefined;
}

/** Formats milliseconds for people: 850ms, 2.3s, 5m, 1h30m, 2d3h. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) {
    const s = ms / 1000;
    return `${Number.isInteger(s) ? s : s.toFixed(1)}s`;
  }
  const totalSeconds = Math.round(ms / 1000);
  const d = Math.floor(totalSeconds / 86_400);
  const h = Math.floor((totalSeconds % 86_400) / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const sec = totalSeconds % 60;
  const parts = [d && `${d}d`, h && `${h}h`, m && `${m}m`, sec && !d && `${sec}s`].filter(Boolean);
  return parts.join('') || '0s';
}
