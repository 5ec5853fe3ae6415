/**
 * One measured transcode of `input` into `outDir`, in this process and its ffmpeg
 * children, printing wall time and CPU seconds (own + waited-for children, from /proc):
 *   veza   the worker's pipeline, both phases (worker/pipeline/transcode.ts), less the uploads
 *   plain  the same renditions made by plain ffmpeg commands: loudnorm's own first pass to
 *          measure (beside it a waveform pass and the FLAC copy, which need no measurement),
 *          then one command per rendition, each normalising with the same filter as the
 *          worker (so the audio is the same); as many commands at once as the worker's
 *          second phase runs (one per core), so that wall times compare the work and not
 *          how many cores each side keeps busy
 */
import { readFile, mkdir, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { run } from '../../worker/pipeline/ffmpeg.ts';
import { LADDER, transcodeTrack } from '../../worker/pipeline/transcode.ts';
import { DEFAULT_TARGET, normaliseFilter, type LoudnessMeasurement } from '../../worker/pipeline/loudness.ts';

/** What a plain script measures with: the first of loudnorm's two documented passes. */
async function measureLoudness(path: string): Promise<LoudnessMeasurement> {
  const t = DEFAULT_TARGET;
  const { stderr } = await run('ffmpeg', ['-hide_banner', '-nostats', '-i', path, '-map', '0:a:0', '-af', `loudnorm=I=${t.integratedLufs}:TP=${t.truePeakDbtp}:LRA=${t.rangeLu}:print_format=json`, '-f', 'null', '-']);
  const m = JSON.parse(stderr.slice(stderr.lastIndexOf('{'), stderr.lastIndexOf('}') + 1)) as { input_i: string; input_lra: string; input_tp: string; input_thresh: string };
  const value = (s: string) => (Number.isFinite(Number(s)) ? Number(s) : -70);
  return { integratedLufs: value(m.input_i), rangeLu: value(m.input_lra), truePeakDbtp: value(m.input_tp), thresholdLufs: value(m.input_thresh) };
}

const [mode, input, outDir] = process.argv.slice(2) as ['veza' | 'plain', string, string];
await rm(outDir, { recursive: true, force: true });
const started = performance.now();
if (mode === 'veza') {
  await transcodeTrack({ input, outputDir: outDir });
} else {
  await mkdir(outDir, { recursive: true });
  const limit = pLimit(availableParallelism());
  const ffmpeg = (args: string[]) => limit(() => run('ffmpeg', args));
  // The waveform and the FLAC copy need no measurement: they run beside it.
  const unmeasured = [
    ffmpeg(['-v', 'error', '-i', input, '-ac', '1', '-ar', '8000', '-f', 's16le', '-y', join(outDir, 'waveform.pcm')]),
    ffmpeg(['-v', 'error', '-y', '-i', input, '-c:a', 'flac', join(outDir, 'original.flac')]),
  ];
  const norm = normaliseFilter(await limit(() => measureLoudness(input)));
  const normalised: string[][] = [];
  for (const v of LADDER) {
    const dir = join(outDir, v.name);
    await mkdir(dir, { recursive: true });
    normalised.push([
      '-v', 'error', '-y', '-i', input, '-af', `${norm},aresample=48000,aformat=sample_fmts=${v.codec === 'aac' ? 'fltp' : 'flt'}:sample_rates=48000:channel_layouts=stereo`, '-c:a', v.codec === 'aac' ? 'aac' : 'libopus', '-b:a', `${v.bitrateKbps}k`,
      '-f', 'hls', '-hls_time', '6', '-hls_playlist_type', 'vod', '-hls_segment_type', 'fmp4', '-hls_segment_filename', join(dir, 'seg_%03d.m4s'), join(dir, 'playlist.m3u8'),
    ]);
  }
  normalised.push(['-v', 'error', '-y', '-i', input, '-af', `${norm},aresample=48000`, '-c:a', 'libmp3lame', '-b:a', '320k', '-ar', '44100', join(outDir, 'download.mp3')]);
  await Promise.all([...unmeasured, ...normalised.map(ffmpeg)]);
}
const wallSeconds = (performance.now() - started) / 1000;
const stat = (await readFile('/proc/self/stat', 'utf8')).slice((await readFile('/proc/self/stat', 'utf8')).lastIndexOf(')') + 2).split(' ');
// utime, stime, cutime, cstime (fields 14–17), in clock ticks of 1/100 s.
const cpuSeconds = (Number(stat[11]) + Number(stat[12]) + Number(stat[13]) + Number(stat[14])) / 100;
process.stdout.write(`${JSON.stringify({ mode, wallSeconds, cpuSeconds })}\n`);
