/**
 * A spectral summary of the whole track, from ffmpeg's `aspectralstats` on a mono mix of
 * the original (windows of 2,048 samples, Hann, no overlap: a summary needs no more),
 * its per-window statistics streamed out with `ametadata` and averaged here, each window
 * weighted by its mean magnitude so that loud passages count more than quiet ones and
 * silence not at all.
 */
import { run } from './ffmpeg.ts';

export interface SpectralSummary {
  /** Centre of mass of the magnitude spectrum, in Hz: higher sounds brighter. */
  centroidHz: number;
  /** Frequency below which 85 % of the magnitude lies, in Hz. */
  rolloffHz: number;
  /** Geometric over arithmetic mean of the spectrum: near 0 tonal, near 1 noise-like. */
  flatness: number;
}

/**
 * ffmpeg arguments that print the statistics of `input` on stdout. The colon of `pipe:1`
 * is escaped twice, once for the filtergraph and once for the filter's options; escaped
 * once, `ametadata` writes to a file named `pipe`.
 */
export function spectralArgs(input: string): string[] {
  return ['-i', input, '-map', '0:a:0', '-af', 'aformat=channel_layouts=mono,aspectralstats=win_size=2048:overlap=0,ametadata=mode=print:file=pipe\\\\:1', '-f', 'null', '-'];
}

/** Accumulates `ametadata` lines as they stream in. */
export class SpectralAccumulator {
  #rest = '';
  #window: Partial<Record<'mean' | 'centroid' | 'rolloff' | 'flatness', number>> = {};
  #weight = 0;
  #sums = { centroid: 0, rolloff: 0, flatness: 0 };

  push(chunk: Buffer): void {
    const lines = (this.#rest + chunk.toString('latin1')).split('\n');
    this.#rest = lines.pop() ?? '';
    for (const line of lines) this.#line(line);
  }

  summary(): SpectralSummary | null {
    this.#line(this.#rest);
    this.#rest = '';
    this.#close();
    if (this.#weight <= 0) return null;
    const mean = (k: 'centroid' | 'rolloff' | 'flatness') => this.#sums[k] / this.#weight;
    return { centroidHz: Math.round(mean('centroid')), rolloffHz: Math.round(mean('rolloff')), flatness: Math.round(mean('flatness') * 1000) / 1000 };
  }

  #line(line: string): void {
    if (line.startsWith('frame:')) return this.#close();
    const m = /^lavfi\.aspectralstats\.1\.(mean|centroid|rolloff|flatness)=(\S+)/.exec(line);
    if (!m) return;
    const v = Number(m[2]);
    if (Number.isFinite(v)) this.#window[m[1] as 'mean' | 'centroid' | 'rolloff' | 'flatness'] = v;
  }

  #close(): void {
    const { mean, centroid, rolloff, flatness } = this.#window;
    this.#window = {};
    if (mean === undefined || centroid === undefined || rolloff === undefined || flatness === undefined || mean <= 0) return;
    this.#weight += mean;
    this.#sums.centroid += mean * centroid;
    this.#sums.rolloff += mean * rolloff;
    this.#sums.flatness += mean * flatness;
  }
}

/** The summary of a whole file, on its own (tests, tools); the worker runs `spectralArgs` among its encodes. */
export async function spectralSummary(input: string): Promise<SpectralSummary | null> {
  const acc = new SpectralAccumulator();
  await run('ffmpeg', ['-v', 'error', ...spectralArgs(input)], { onStdout: (c) => acc.push(c) });
  return acc.summary();
}
