/**
 * Waveform peaks for drawing: the largest absolute amplitude (0..1) in each of a fixed
 * number of buckets, fed with the mono analysis PCM of the measuring pass as it streams
 * out of ffmpeg (never held whole).
 */

export const WAVEFORM_BUCKETS = 1800;

export class WaveformPeaks {
  readonly #peaks: number[];
  readonly #perBucket: number;
  #index = 0;

  /** `totalSamples`: how many samples the whole track has at the analysis rate. */
  constructor(totalSamples: number, buckets = WAVEFORM_BUCKETS) {
    this.#peaks = new Array<number>(buckets).fill(0);
    this.#perBucket = Math.max(1, totalSamples) / buckets;
  }

  add(samples: Int16Array): void {
    const last = this.#peaks.length - 1;
    for (const s of samples) {
      const b = Math.min(last, Math.floor(this.#index / this.#perBucket));
      const v = Math.abs(s) / 32768;
      if (v > this.#peaks[b]!) this.#peaks[b] = v;
      this.#index++;
    }
  }

  peaks(): number[] {
    return this.#peaks.map((p) => Math.round(p * 1000) / 1000);
  }
}
