/**
 * A tempo estimate from onsets, fed with the mono analysis PCM of the measuring pass:
 *
 * 1. an energy envelope in dB, over 20 ms every 5 ms (loudness is heard logarithmically);
 * 2. onset strength: its rise from frame to frame beyond 1 dB (the ripple of a steady tone
 *    and the flicker of noise stay below that), less its average over the surrounding
 *    second, so slow swells do not count as beats;
 * 3. the autocorrelation of onset strength at the lags of 60 to 200 BPM, weighted towards
 *    120 BPM by a log-normal prior of one octave (Ellis, "Beat tracking by dynamic
 *    programming", 2007: listeners favour tempi near 120), so that of a tempo and its half
 *    or double, the likelier one wins;
 * 4. the best lag, refined between frames by a parabola through its neighbours.
 *
 * `confidence` is how far that peak stands above the other lags, 0 to 1; without a steady
 * pulse (a drone, speech, noise) it is low and there is no tempo. Like any estimate of
 * this kind, very fast or very slow music may come out at half or double its tempo.
 */

export interface TempoEstimate {
  /** Beats per minute (60 to 200), or null when no steady pulse was found. */
  bpm: number | null;
  /** 0 to 1: how clearly the pulse stands out. */
  confidence: number;
}

const FRAME_SECONDS = 0.005;
/** Frames per energy window (20 ms). */
const WINDOW_FRAMES = 4;
/** Rises smaller than this, in dB, are not onsets. */
const MIN_RISE_DB = 1;
const MIN_BPM = 60;
const MAX_BPM = 200;
/** Below this confidence there is no tempo to speak of. */
const MIN_CONFIDENCE = 0.15;

export class OnsetTempo {
  readonly #frameSize: number;
  readonly #energies: number[] = [];
  #sum = 0;
  #count = 0;

  /** `sampleRate`: of the samples `add` receives. */
  constructor(sampleRate: number) {
    this.#frameSize = Math.max(1, Math.round(sampleRate * FRAME_SECONDS));
  }

  add(samples: Int16Array): void {
    for (const s of samples) {
      const v = s / 32768;
      this.#sum += v * v;
      if (++this.#count === this.#frameSize) {
        this.#energies.push(this.#sum / this.#frameSize);
        this.#sum = 0;
        this.#count = 0;
      }
    }
  }

  estimate(): TempoEstimate {
    const onsets = onsetStrength(this.#energies);
    const framesPerMinute = 60 / FRAME_SECONDS;
    const minLag = Math.floor(framesPerMinute / MAX_BPM);
    const maxLag = Math.ceil(framesPerMinute / MIN_BPM);
    if (onsets.length < maxLag * 4) return { bpm: null, confidence: 0 };
    const zero = correlation(onsets, 0);
    if (zero <= 0) return { bpm: null, confidence: 0 };
    // Normalised autocorrelation, one past each end of the range for the parabola.
    const r = new Map<number, number>();
    for (let lag = minLag - 1; lag <= maxLag + 1; lag++) r.set(lag, correlation(onsets, lag) / zero);
    let best = minLag;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let lag = minLag; lag <= maxLag; lag++) {
      const score = r.get(lag)! * prior(framesPerMinute / lag);
      if (score > bestScore) {
        bestScore = score;
        best = lag;
      }
    }
    const values = [...r.values()];
    const mean = values.reduce((n, v) => n + v, 0) / values.length;
    const peak = r.get(best)!;
    // How far the peak's correlation stands above the range's average, on the scale of a perfect pulse (1).
    const confidence = Math.max(0, Math.min(1, peak - Math.max(0, mean)));
    if (confidence < MIN_CONFIDENCE) return { bpm: null, confidence: round(confidence, 2) };
    const [a, b, c] = [r.get(best - 1)!, peak, r.get(best + 1)!];
    const denominator = a - 2 * b + c;
    const shift = denominator < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / denominator)) : 0;
    const bpm = framesPerMinute / (best + shift);
    return { bpm: round(Math.min(MAX_BPM, Math.max(MIN_BPM, bpm)), 1), confidence: round(confidence, 2) };
  }
}

function onsetStrength(energies: readonly number[]): Float64Array {
  const db = new Float64Array(energies.length);
  let window = 0;
  for (let i = 0; i < energies.length; i++) {
    window += energies[i]! - (i >= WINDOW_FRAMES ? energies[i - WINDOW_FRAMES]! : 0);
    db[i] = 10 * Math.log10(Math.max(1e-9, window / WINDOW_FRAMES));
  }
  const rise = new Float64Array(energies.length);
  for (let i = 1; i < db.length; i++) rise[i] = Math.max(0, db[i]! - db[i - 1]! - MIN_RISE_DB);
  // Less the moving average over ~1 s (a running sum: linear in the length of the track).
  const half = Math.round(0.5 / FRAME_SECONDS);
  const out = new Float64Array(rise.length);
  let sum = 0;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < rise.length; i++) {
    while (hi < rise.length && hi <= i + half) sum += rise[hi++]!;
    while (lo < i - half) sum -= rise[lo++]!;
    out[i] = Math.max(0, rise[i]! - sum / (hi - lo));
  }
  return out;
}

/** Mean product of the series (its mean removed) with itself `lag` frames later: without a pulse, near 0 at every lag. */
function correlation(x: Float64Array, lag: number): number {
  let mean = 0;
  for (const v of x) mean += v;
  mean /= x.length;
  let sum = 0;
  for (let i = 0; i + lag < x.length; i++) sum += (x[i]! - mean) * (x[i + lag]! - mean);
  return sum / (x.length - lag);
}

/** Log-normal weight around 120 BPM, one octave wide. */
function prior(bpm: number): number {
  const octaves = Math.log2(bpm / 120);
  return Math.exp(-0.5 * octaves * octaves);
}

const round = (n: number, digits: number): number => Math.round(n * 10 ** digits) / 10 ** digits;
