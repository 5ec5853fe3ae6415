/**
 * The measuring pass: one decode of the whole original that proves it decodes to the end
 * (`-xerror`), measures its loudness (`ebur128` with true peaks) and streams a mono
 * 8 kHz copy out of ffmpeg for the waveform and the tempo estimate (tempo.ts). One pass instead of
 * three (decode check, `loudnorm` analysis, waveform): `loudnorm` measures at 192 kHz,
 * `ebur128` oversamples only for true peaks, so this costs a quarter of what the
 * separate passes did.
 */
import { FfmpegError, run } from './ffmpeg.ts';
import { parseEbur128Summary, type LoudnessMeasurement } from './loudness.ts';
import { UndecodableAudioError } from './probe.ts';
import { OnsetTempo, type TempoEstimate } from './tempo.ts';
import { WaveformPeaks } from './waveform.ts';

/** Sample rate of the analysis copy (waveform, onsets). */
export const ANALYSIS_RATE = 8000;

export interface AudioMeasurement {
  loudness: LoudnessMeasurement;
  /** Peaks for drawing, see waveform.ts. */
  waveform: number[];
  tempo: TempoEstimate;
}

export async function measureAudio(path: string, durationSeconds: number): Promise<AudioMeasurement> {
  const peaks = new WaveformPeaks(Math.round(durationSeconds * ANALYSIS_RATE));
  const tempo = new OnsetTempo(ANALYSIS_RATE);
  let carry: Buffer | null = null;
  let stderr: string;
  try {
    ({ stderr } = await run('ffmpeg', [
      '-hide_banner', '-nostats', '-xerror', '-i', path,
      '-filter_complex', `[0:a:0]asplit=2[m][a];[m]ebur128=peak=true[o];[a]aresample=${ANALYSIS_RATE},aformat=sample_fmts=s16:channel_layouts=mono[w]`,
      '-map', '[o]', '-f', 'null', '-',
      '-map', '[w]', '-f', 's16le', 'pipe:1',
    ], {
      onStdout: (chunk) => {
        const buf = carry ? Buffer.concat([carry, chunk]) : chunk;
        const usable = buf.length - (buf.length % 2);
        // An Int16Array view needs an even offset; pooled chunks may not have one.
        const aligned = buf.byteOffset % 2 === 0 ? buf : Buffer.from(buf);
        const samples = new Int16Array(aligned.buffer, aligned.byteOffset, usable / 2);
        peaks.add(samples);
        tempo.add(samples);
        carry = usable < buf.length ? Buffer.from(buf.subarray(usable)) : null;
      },
    }));
  } catch (err) {
    if (err instanceof FfmpegError) throw new UndecodableAudioError('The audio is damaged and cannot be decoded to the end.');
    throw err;
  }
  const loudness = parseEbur128Summary(stderr);
  if (!loudness) throw new Error(`ebur128 printed no summary: ${stderr.slice(-500)}`);
  return { loudness, waveform: peaks.peaks(), tempo: tempo.estimate() };
}
