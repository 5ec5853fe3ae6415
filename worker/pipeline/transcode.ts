/**
 * One uploaded file in, every rendition out, into a folder:
 *
 *   hls/master.m3u8            adaptive ladder: AAC-LC 64/128/256 kbit/s and Opus 96/160 kbit/s,
 *   hls/<variant>/...          fMP4 segments of ~6 s, all normalised to the loudness target
 *   download.mp3               MP3 320 kbit/s CBR, normalised, tags kept
 *   original.flac              the untouched audio, only when the source is lossless
 *   artwork.jpg                the picture embedded in the file, if any
 *
 * The measuring passes (loudness, waveform) run side by side; the encodes share one
 * decode of the source in one ffmpeg process (`asplit`), which uses every core. The
 * output folder is written under a temporary name and renamed into place only when
 * everything succeeded, so a crash never leaves a half-written set.
 */
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { run } from './ffmpeg.ts';
import { DEFAULT_TARGET, measureLoudness, normaliseFilter, type LoudnessMeasurement, type LoudnessTarget } from './loudness.ts';
import { probeAudio, type AudioProbe } from './probe.ts';
import { computeWaveform } from './waveform.ts';

export interface Variant {
  name: string;
  codec: 'aac' | 'opus';
  bitrateKbps: number;
}

/** The HLS ladder, lowest first. */
export const LADDER: readonly Variant[] = [
  { name: 'aac_64', codec: 'aac', bitrateKbps: 64 },
  { name: 'aac_128', codec: 'aac', bitrateKbps: 128 },
  { name: 'aac_256', codec: 'aac', bitrateKbps: 256 },
  { name: 'opus_96', codec: 'opus', bitrateKbps: 96 },
  { name: 'opus_160', codec: 'opus', bitrateKbps: 160 },
];

export interface OutputFile {
  /** Path relative to the output folder. */
  path: string;
  contentType: string;
  byteSize: number;
  kind: 'HLS_MASTER' | 'HLS_VARIANT' | 'HLS_SEGMENT' | 'MP3' | 'FLAC' | 'ARTWORK';
  codec: string | null;
  bitrateKbps: number | null;
}

export interface TranscodeResult {
  probe: AudioProbe;
  loudness: LoudnessMeasurement;
  waveform: number[];
  files: OutputFile[];
}

export interface TranscodeOptions {
  input: string;
  outputDir: string;
  target?: LoudnessTarget;
  /** Progress of the encode, 0..1. */
  onProgress?: (fraction: number) => void;
}

export async function transcodeTrack(opts: TranscodeOptions): Promise<TranscodeResult> {
  const target = opts.target ?? DEFAULT_TARGET;
  const probe = await probeAudio(opts.input);
  const [loudness, waveform] = await Promise.all([measureLoudness(opts.input, target), computeWaveform(opts.input, probe.durationSeconds)]);
  const work = `${opts.outputDir}.partial-${process.pid}`;
  await rm(work, { recursive: true, force: true });
  await mkdir(join(work, 'hls'), { recursive: true });
  try {
    await encode(opts.input, work, probe, loudness, target, opts.onProgress);
    await writeFile(join(work, 'hls', 'master.m3u8'), masterPlaylist());
    if (probe.hasArtwork) {
      await run('ffmpeg', ['-v', 'error', '-y', '-i', opts.input, '-map', '0:v:0', '-frames:v', '1', '-c:v', 'mjpeg', join(work, 'artwork.jpg')]).catch(() => undefined);
    }
    const files = await describe(work);
    await rm(opts.outputDir, { recursive: true, force: true });
    await rename(work, opts.outputDir);
    return { probe, loudness, waveform, files };
  } catch (err) {
    await rm(work, { recursive: true, force: true });
    throw err;
  }
}

async function encode(input: string, dir: string, probe: AudioProbe, loudness: LoudnessMeasurement, target: LoudnessTarget, onProgress?: (f: number) => void): Promise<void> {
  const branches = LADDER.length + 1;
  const labels = Array.from({ length: branches }, (_, i) => `[n${i}]`);
  const graph = `[0:a:0]${normaliseFilter(loudness, target)},aresample=48000,asplit=${branches}${labels.join('')}`;
  const args = ['-v', 'error', '-y', '-i', input, '-filter_complex', graph];
  LADDER.forEach((v, i) => {
    args.push('-map', labels[i]!, `-c:a:${i}`, v.codec === 'aac' ? 'aac' : 'libopus', `-b:a:${i}`, `${v.bitrateKbps}k`);
  });
  args.push(
    '-f', 'hls', '-hls_time', '6', '-hls_playlist_type', 'vod', '-hls_segment_type', 'fmp4',
    '-hls_fmp4_init_filename', 'init.mp4', '-hls_segment_filename', join(dir, 'hls', '%v', 'seg_%03d.m4s'),
    '-var_stream_map', LADDER.map((v, i) => `a:${i},name:${v.name}`).join(' '),
    join(dir, 'hls', '%v', 'playlist.m3u8'),
  );
  // The download: MP3 320 kbit/s constant bitrate, at 44.1 kHz, tags kept.
  args.push('-map', labels[LADDER.length]!, '-map_metadata', '0', '-c:a', 'libmp3lame', '-b:a', '320k', '-ar', '44100', '-id3v2_version', '3', join(dir, 'download.mp3'));
  if (probe.lossless) args.push('-map', '0:a:0', '-c:a', 'flac', '-compression_level', '5', join(dir, 'original.flac'));
  await run('ffmpeg', args, onProgress ? { onProgress: (s) => onProgress(Math.min(1, s / probe.durationSeconds)) } : {});
}

/** The master playlist, written by hand so every variant carries its CODECS (ffmpeg omits Opus's). */
export function masterPlaylist(): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const v of LADDER) {
    // BANDWIDTH: peak bits per second, with ~10 % for the container.
    lines.push(`#EXT-X-STREAM-INF:BANDWIDTH=${Math.round(v.bitrateKbps * 1100)},AVERAGE-BANDWIDTH=${v.bitrateKbps * 1000},CODECS="${v.codec === 'aac' ? 'mp4a.40.2' : 'opus'}"`);
    lines.push(`${v.name}/playlist.m3u8`);
  }
  return `${lines.join('\n')}\n`;
}

async function describe(dir: string): Promise<OutputFile[]> {
  const out: OutputFile[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) await walk(full);
      else out.push(classify(relative(dir, full), (await stat(full)).size));
    }
  };
  await walk(dir);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

function classify(path: string, byteSize: number): OutputFile {
  const variant = LADDER.find((v) => path.startsWith(`hls/${v.name}/`));
  if (path === 'hls/master.m3u8') return { path, byteSize, contentType: 'application/vnd.apple.mpegurl', kind: 'HLS_MASTER', codec: null, bitrateKbps: null };
  if (variant && path.endsWith('.m3u8')) return { path, byteSize, contentType: 'application/vnd.apple.mpegurl', kind: 'HLS_VARIANT', codec: variant.codec, bitrateKbps: variant.bitrateKbps };
  if (variant) return { path, byteSize, contentType: 'audio/mp4', kind: 'HLS_SEGMENT', codec: variant.codec, bitrateKbps: variant.bitrateKbps };
  if (path === 'download.mp3') return { path, byteSize, contentType: 'audio/mpeg', kind: 'MP3', codec: 'mp3', bitrateKbps: 320 };
  if (path === 'original.flac') return { path, byteSize, contentType: 'audio/flac', kind: 'FLAC', codec: 'flac', bitrateKbps: null };
  return { path, byteSize, contentType: 'image/jpeg', kind: 'ARTWORK', codec: null, bitrateKbps: null };
}
