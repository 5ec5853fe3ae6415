/** EBU R128 loudness, measured by ffmpeg's `loudnorm` in analysis mode (first of its two passes). */
import { run } from './ffmpeg.ts';

export interface LoudnessMeasurement {
  integratedLufs: number;
  rangeLu: number;
  truePeakDbtp: number;
  /** Gate threshold, needed by the second (normalising) pass. */
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

export async function measureLoudness(path: string, target: LoudnessTarget = DEFAULT_TARGET): Promise<LoudnessMeasurement> {
  const { stderr } = await run('ffmpeg', [
    '-hide_banner', '-nostats', '-i', path, '-map', '0:a:0',
    '-af', `loudnorm=I=${target.integratedLufs}:TP=${target.truePeakDbtp}:LRA=${target.rangeLu}:print_format=json`,
    '-f', 'null', '-',
  ]);
  const json = stderr.slice(stderr.lastIndexOf('{'), stderr.lastIndexOf('}') + 1);
  const m = JSON.parse(json) as { input_i: string; input_lra: string; input_tp: string; input_thresh: string };
  const value = (s: string) => (Number.isFinite(Number(s)) ? Number(s) : -70);
  return { integratedLufs: value(m.input_i), rangeLu: value(m.input_lra), truePeakDbtp: value(m.input_tp), thresholdLufs: value(m.input_thresh) };
}

/** The `loudnorm` filter of the second pass, fed with what the first measured (linear when it can be). */
export function normaliseFilter(measured: LoudnessMeasurement, target: LoudnessTarget = DEFAULT_TARGET): string {
  return (
    `loudnorm=I=${target.integratedLufs}:TP=${target.truePeakDbtp}:LRA=${target.rangeLu}` +
    `:measured_I=${measured.integratedLufs}:measured_TP=${measured.truePeakDbtp}:measured_LRA=${measured.rangeLu}` +
    `:measured_thresh=${measured.thresholdLufs}:linear=true:print_format=none`
  );
}
