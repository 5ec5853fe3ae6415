/**
 * EBU R128 loudness: read from ffmpeg's `ebur128` summary (the measuring pass, see
 * measure.ts), and the filter that brings a track to the target from that measurement.
 */

export interface LoudnessMeasurement {
  integratedLufs: number;
  rangeLu: number;
  truePeakDbtp: number;
  /** Relative gate threshold of the integrated loudness, needed by `loudnorm`'s dynamic mode. */
  thresholdLufs: number;
}

export interface LoudnessTarget {
  /** Integrated loudness to reach. Default −14 LUFS (streaming platforms' usual level). */
  integratedLufs: number;
  /** Ceiling for true peaks. Default −1 dBTP. */
  truePeakDbtp: number;
  /** Loudness range allowed. Default 11 LU. */
  rangeLu: number;
}

export const DEFAULT_TARGET: LoudnessTarget = { integratedLufs: -14, truePeakDbtp: -1, rangeLu: 11 };

/** What ebur128 reports for audio with no measurable loudness (silence). */
const SILENT_LUFS = -70;

/**
 * Reads the summary `ebur128=peak=true` prints when its input ends:
 *   Integrated loudness: I: -37.4 LUFS, Threshold: -47.4 LUFS; Loudness range: LRA: 0.0 LU …; True peak: Peak: -32.9 dBFS
 */
export function parseEbur128Summary(stderr: string): LoudnessMeasurement | null {
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  const num = (re: RegExp) => {
    const m = re.exec(summary)?.[1];
    if (m === undefined) return null;
    const n = Number(m);
    return Number.isFinite(n) ? n : m === '-inf' ? Number.NEGATIVE_INFINITY : null;
  };
  const integrated = num(/Integrated loudness:\s+I:\s+(\S+) LUFS/);
  const threshold = num(/Integrated loudness:\s+I:\s+\S+ LUFS\s+Threshold:\s+(\S+) LUFS/);
  const range = num(/LRA:\s+(\S+) LU/);
  const peak = num(/True peak:\s+Peak:\s+(\S+) dBFS/);
  if (integrated === null || threshold === null || range === null || peak === null) return null;
  return { integratedLufs: integrated, rangeLu: range, truePeakDbtp: Math.max(peak, -99), thresholdLufs: threshold };
}

/**
 * The normalising filter. When a plain gain reaches the target without pushing true
 * peaks over the ceiling (and the range is within bounds), it is that gain: exactly
 * what `loudnorm`'s linear mode does, without the filter, which in ffmpeg 5 also refuses
 * linear mode for a measured range of 0 LU (its sign of "not measured") and then works
 * dynamically at 192 kHz — four times the CPU of the rest of the pass. Otherwise
 * `loudnorm` normalises dynamically from the measurement. Silence stays as it is.
 */
export function normaliseFilter(measured: LoudnessMeasurement, target: LoudnessTarget = DEFAULT_TARGET): string {
  if (measured.integratedLufs <= SILENT_LUFS) return 'anull';
  const gain = target.integratedLufs - measured.integratedLufs;
  if (measured.truePeakDbtp + gain <= target.truePeakDbtp && measured.rangeLu <= target.rangeLu) return `volume=${gain.toFixed(2)}dB`;
  return (
    `loudnorm=I=${target.integratedLufs}:TP=${target.truePeakDbtp}:LRA=${target.rangeLu}` +
    `:measured_I=${measured.integratedLufs}:measured_TP=${measured.truePeakDbtp}:measured_LRA=${measured.rangeLu}` +
    `:measured_thresh=${measured.thresholdLufs}:linear=true:print_format=none`
  );
}
