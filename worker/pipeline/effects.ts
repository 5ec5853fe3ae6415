/**
 * Effect chains as ffmpeg filters, and a track rendered through one: measured after the
 * chain (an EQ changes loudness), then rendered with the chain and the normalising filter
 * as an MP3 320 kbit/s — two decodes of the original, as the ladder's normalisation needs.
 *
 * Pitch is shifted by resampling (`asetrate`, which changes speed and pitch together) and
 * the speed then put back with `atempo`, which changes speed only: native filters, no
 * library beyond ffmpeg's own. `atempo` takes 0.5 to 100 per instance, so a slower factor
 * is split into two.
 */
import { FfmpegError, run } from './ffmpeg.ts';
import { DEFAULT_TARGET, normaliseFilter, parseEbur128Summary } from './loudness.ts';
import { probeAudio, UndecodableAudioError } from './probe.ts';
import type { EqPreset } from '../../subgraphs/media/entities/index.ts';
import type { EffectChain } from '../../subgraphs/media/services/effect-renders.ts';

const EQ: Record<EqPreset, string | null> = {
  FLAT: null,
  BASS_BOOST: 'bass=g=6:f=110:w=0.6',
  TREBLE_BOOST: 'treble=g=5:f=5000:w=0.6',
  VOCAL: 'equalizer=f=3000:t=o:w=1.5:g=4,bass=g=-3:f=150',
  LOFI: 'highpass=f=200,lowpass=f=3500',
};

/** The filters of `chain` for audio at `sampleRate`, or `anull` when it changes nothing. */
export function effectFilter(chain: EffectChain, sampleRate: number): string {
  const filters: string[] = [];
  const ratio = 2 ** (chain.pitchSemitones / 12);
  if (chain.pitchSemitones !== 0) filters.push(`asetrate=${Math.round(sampleRate * ratio)}`, `aresample=${sampleRate}`);
  const speed = chain.tempo / ratio;
  if (Math.abs(speed - 1) > 1e-6) {
    if (speed < 0.5) filters.push(`atempo=${Math.sqrt(speed).toFixed(6)}`, `atempo=${Math.sqrt(speed).toFixed(6)}`);
    else filters.push(`atempo=${speed.toFixed(6)}`);
  }
  const eq = EQ[chain.eqPreset];
  if (eq) filters.push(eq);
  return filters.length ? filters.join(',') : 'anull';
}

/** Renders `input` through `chain` into `output` (MP3 320 kbit/s, 44.1 kHz, normalised); returns its length. */
export async function renderEffect(input: string, output: string, chain: EffectChain): Promise<{ durationSeconds: number }> {
  const probe = await probeAudio(input);
  const filter = effectFilter(chain, probe.sampleRate || 44100);
  let stderr: string;
  try {
    ({ stderr } = await run('ffmpeg', ['-hide_banner', '-nostats', '-xerror', '-i', input, '-map', '0:a:0', '-af', `${filter},ebur128=peak=true`, '-f', 'null', '-']));
  } catch (err) {
    if (err instanceof FfmpegError) throw new UndecodableAudioError('The audio is damaged and cannot be decoded to the end.');
    throw err;
  }
  const loudness = parseEbur128Summary(stderr);
  if (!loudness) throw new Error(`ebur128 printed no summary: ${stderr.slice(-500)}`);
  await run('ffmpeg', ['-v', 'error', '-y', '-i', input, '-map', '0:a:0', '-map_metadata', '0', '-af', `${filter},${normaliseFilter(loudness, DEFAULT_TARGET)},aresample=44100`, '-c:a', 'libmp3lame', '-b:a', '320k', '-id3v2_version', '3', output]);
  return { durationSeconds: (await probeAudio(output)).durationSeconds };
}
