/** Percentiles and small summaries of benchmark R's figures. */

export interface Latency {
  /** The smallest: below zero only if the processes' clocks disagree (see marks.ts `now`). */
  min: number;
  p50: number;
  p99: number;
  max: number;
}

export function latencyOf(values: Float64Array | number[]): Latency {
  if (values.length === 0) return { min: Number.NaN, p50: Number.NaN, p99: Number.NaN, max: Number.NaN };
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  return { min: sorted[0]!, p50: at(50), p99: at(99), max: sorted[sorted.length - 1]! };
}

/** Joins typed arrays end to end. */
export function concat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The median of `values` and their min–max, for the median round of a set of rounds. */
export function spread(values: number[]): { median: number; min: number; max: number } {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b);
  return { median: s[Math.floor((s.length - 1) / 2)] ?? Number.NaN, min: s[0] ?? Number.NaN, max: s.at(-1) ?? Number.NaN };
}
