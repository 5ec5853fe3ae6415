/**
 * One uploaded file in, every rendition out (renditions.ts), in two phases so a track
 * plays as soon as it can:
 *
 * 1. `preparePlayable`: probe; one measuring pass (loudness, waveform: measure.ts); then
 *    one ffmpeg that normalises once and encodes the first variant (AAC 128 kbit/s HLS)
 *    while writing the normalised audio (48 kHz float, NUT) for phase 2; and a master
 *    playlist that lists that variant alone.
 * 2. `encodeLadder`: the rest of the ladder, the MP3 and (for lossless sources) the FLAC,
 *    one ffmpeg per rendition, as many at once as there are cores, from the normalised
 *    copy (no second normalisation, which is costly when `loudnorm` must work dynamically);
 *    and the spectral summary of the original (spectral.ts) among them.
 *    They run nicer than phase 1's work, which is what someone is waiting for.
 *    `finishLadder` then writes the master playlist of the whole ladder.
 *
 * The worker uploads phase 1 and makes the track playable while phase 2 encodes.
 */
import { availableParallelism } from 'node:os';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './ffmpeg.ts';
import { DEFAULT_TARGET, normaliseFilter, type LoudnessMeasurement, type LoudnessTarget } from './loudness.ts';
import { measureAudio } from './measure.ts';
import { probeAudio, type AudioProbe } from './probe.ts';
import { SpectralAccumulator, spectralArgs, type SpectralSummary } from './spectral.ts';
import type { TempoEstimate } from './tempo.ts';
import { describe, LADDER, MASTER_PATH, masterPlaylist, PLAYABLE_VARIANT, type OutputFile, type Variant } from './renditions.ts';

export { LADDER, PLAYABLE_VARIANT, type OutputFile } from './renditions.ts';

/** Niceness of phase 2's encodes (see ffmpeg.ts). */
const LADDER_NICENESS = 10;
/** The normalised copy phase 2 encodes from; not a rendition. */
const NORMALISED = 'normalised.nut';

export interface PreparedTrack {
  /** The original, and the folder every output goes to. */
  input: string;
  dir: string;
  probe: AudioProbe;
  loudness: LoudnessMeasurement;
  waveform: number[];
  tempo: TempoEstimate;
  /** What phase 1 made: the master playlist (first variant only) and that variant. */
  files: OutputFile[];
}

/** What phase 2 measured besides encoding. */
export interface LadderAnalysis {
  spectral: SpectralSummary | null;
}

export interface TranscodeResult extends PreparedTrack, LadderAnalysis {
  /** Every rendition. */
  files: OutputFile[];
}

export interface PhaseOptions {
  /** Progress of the phase's encoding, 0..1. */
  onProgress?: (fraction: number) => void;
}

export async function preparePlayable(opts: PhaseOptions & { input: string; dir: string; target?: LoudnessTarget }): Promise<PreparedTrack> {
  const probe = await probeAudio(opts.input);
  const { loudness, waveform, tempo } = await measureAudio(opts.input, probe.durationSeconds);
  const v = PLAYABLE_VARIANT;
  await mkdir(join(opts.dir, 'hls', v.name), { recursive: true });
  const graph = `[0:a:0]${normaliseFilter(loudness, opts.target ?? DEFAULT_TARGET)},aresample=48000,asplit=2[play][keep]`;
  await run(
    'ffmpeg',
    ['-v', 'error', '-y', '-i', opts.input, '-filter_complex', graph, '-map', '[play]', ...hlsOutput(opts.dir, v), '-map', '[keep]', '-c:a', 'pcm_f32le', '-f', 'nut', join(opts.dir, NORMALISED)],
    progressOf(probe.durationSeconds, opts.onProgress),
  );
  await writeFile(join(opts.dir, MASTER_PATH), masterPlaylist([v]));
  return { input: opts.input, dir: opts.dir, probe, loudness, waveform, tempo, files: await describe(opts.dir) };
}

interface Encode {
  args: string[];
  /** Rough CPU cost (seconds per 3 minutes on a 2-core EPYC), to start the longest first and weigh progress. */
  weight: number;
  /** Failure is not fatal (the artwork). */
  optional?: boolean;
  onStdout?: (chunk: Buffer) => void;
}

export async function encodeLadder(track: PreparedTrack, opts: PhaseOptions = {}): Promise<LadderAnalysis> {
  const { dir, input, probe } = track;
  const normalised = join(dir, NORMALISED);
  const encodes: Encode[] = LADDER.filter((v) => v !== PLAYABLE_VARIANT).map((v) => ({ args: ['-i', normalised, '-map', '0:a:0', ...hlsOutput(dir, v)], weight: 1 + v.bitrateKbps / 256 }));
  // The download: MP3 320 kbit/s constant bitrate, at 44.1 kHz, with the original's tags.
  encodes.push({ args: ['-i', normalised, '-i', input, '-map', '0:a:0', '-map_metadata', '1', '-c:a', 'libmp3lame', '-b:a', '320k', '-ar', '44100', '-id3v2_version', '3', join(dir, 'download.mp3')], weight: 1.6 });
  if (probe.lossless) encodes.push({ args: ['-i', input, '-map', '0:a:0', '-c:a', 'flac', '-compression_level', '5', join(dir, 'original.flac')], weight: 0.4 });
  const spectral = new SpectralAccumulator();
  encodes.push({ args: spectralArgs(input), weight: 0.3, onStdout: (c) => spectral.push(c) });
  if (probe.hasArtwork) encodes.push({ args: ['-i', input, '-map', '0:v:0', '-frames:v', '1', '-c:v', 'mjpeg', join(dir, 'artwork.jpg')], weight: 0.05, optional: true });
  for (const v of LADDER) await mkdir(join(dir, 'hls', v.name), { recursive: true });

  const total = encodes.reduce((n, e) => n + e.weight, 0);
  const done = encodes.map(() => 0);
  const report = () => opts.onProgress?.(encodes.reduce((n, e, i) => n + e.weight * done[i]!, 0) / total);
  const queue = encodes.map((e, i) => ({ ...e, i })).sort((a, b) => b.weight - a.weight);
  await Promise.all(
    Array.from({ length: Math.min(availableParallelism(), queue.length) }, async () => {
      for (let e = queue.shift(); e; e = queue.shift()) {
        const { i } = e;
        const ran = run('ffmpeg', ['-v', 'error', '-y', ...e.args], {
          niceness: LADDER_NICENESS,
          ...(e.onStdout ? { onStdout: e.onStdout } : {}),
          ...progressOf(probe.durationSeconds, (f) => {
            done[i] = f;
            report();
          }),
        });
        await (e.optional ? ran.catch(() => undefined) : ran);
        done[i] = 1;
        report();
      }
    }),
  );
  return { spectral: spectral.summary() };
}

/** After `encodeLadder`: the master playlist of the whole ladder; returns every rendition. */
export async function finishLadder(track: PreparedTrack, analysis: LadderAnalysis): Promise<TranscodeResult> {
  await rm(join(track.dir, NORMALISED), { force: true });
  await writeFile(join(track.dir, MASTER_PATH), masterPlaylist(LADDER));
  return { ...track, ...analysis, files: await describe(track.dir) };
}

/** Both phases into `outputDir`, one after the other (what the worker does, less the uploads; for benchmarks). */
export async function transcodeTrack(opts: { input: string; outputDir: string; target?: LoudnessTarget }): Promise<TranscodeResult> {
  await rm(opts.outputDir, { recursive: true, force: true });
  const prepared = await preparePlayable({ input: opts.input, dir: opts.outputDir, ...(opts.target ? { target: opts.target } : {}) });
  return finishLadder(prepared, await encodeLadder(prepared));
}

/** ffmpeg arguments of one HLS variant in fMP4 segments of ~6 s, from the mapped audio. */
function hlsOutput(dir: string, v: Variant): string[] {
  const out = join(dir, 'hls', v.name);
  return [
    '-c:a', v.codec === 'aac' ? 'aac' : 'libopus', '-b:a', `${v.bitrateKbps}k`,
    '-f', 'hls', '-hls_time', '6', '-hls_playlist_type', 'vod', '-hls_segment_type', 'fmp4',
    '-hls_fmp4_init_filename', 'init.mp4', '-hls_segment_filename', join(out, 'seg_%03d.m4s'), join(out, 'playlist.m3u8'),
  ];
}

function progressOf(durationSeconds: number, onProgress?: (fraction: number) => void): { onProgress?: (seconds: number) => void } {
  return onProgress ? { onProgress: (s) => onProgress(Math.min(1, s / durationSeconds)) } : {};
}
