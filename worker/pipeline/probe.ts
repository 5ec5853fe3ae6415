/**
 * What an uploaded file is, according to ffprobe; and the refusal of what is not audio.
 * Whether it decodes to the end is proven by the measuring pass (measure.ts), which
 * decodes it all anyway.
 */
import { FfmpegError, run } from './ffmpeg.ts';

/** The file is not decodable audio; `reason` is shown to the uploader. */
export class UndecodableAudioError extends Error {
  override name = 'UndecodableAudioError';
}

export interface AudioProbe {
  durationSeconds: number;
  codec: string;
  sampleRate: number;
  channels: number;
  bitsPerSample: number | null;
  /** FLAC, ALAC, WavPack or PCM: worth keeping as FLAC. */
  lossless: boolean;
  tags: Record<string, string>;
  hasArtwork: boolean;
}

const LOSSLESS = /^(flac|alac|wavpack|pcm_.*|tta|ape)$/;

interface FfprobeJson {
  streams?: { codec_type?: string; codec_name?: string; sample_rate?: string; channels?: number; bits_per_raw_sample?: string; bits_per_sample?: number; disposition?: { attached_pic?: number } }[];
  format?: { duration?: string; tags?: Record<string, string> };
}

export async function probeAudio(path: string): Promise<AudioProbe> {
  let json: FfprobeJson;
  try {
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', path]);
    json = JSON.parse(stdout) as FfprobeJson;
  } catch (err) {
    if (err instanceof FfmpegError) throw new UndecodableAudioError('The file is not an audio file that can be read.');
    throw err;
  }
  const audio = json.streams?.find((s) => s.codec_type === 'audio');
  if (!audio?.codec_name) throw new UndecodableAudioError('The file has no audio in it.');
  const duration = Number(json.format?.duration);
  if (!Number.isFinite(duration) || duration <= 0.1) throw new UndecodableAudioError('The audio is empty or its length cannot be read.');
  const tags = Object.fromEntries(Object.entries(json.format?.tags ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
  const bits = Number(audio.bits_per_raw_sample ?? audio.bits_per_sample ?? 0);
  return {
    durationSeconds: duration,
    codec: audio.codec_name,
    sampleRate: Number(audio.sample_rate ?? 0),
    channels: audio.channels ?? 0,
    bitsPerSample: bits > 0 ? bits : null,
    lossless: LOSSLESS.test(audio.codec_name),
    tags,
    hasArtwork: (json.streams ?? []).some((s) => s.codec_type === 'video' && s.disposition?.attached_pic === 1),
  };
}
