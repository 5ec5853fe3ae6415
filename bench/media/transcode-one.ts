/**
 * One measured transcode of `input` into `outDir`, in this process and its ffmpeg
 * children, printing wall time and CPU seconds (own + waited-for children, from /proc):
 *   veza   the worker's pipeline (one decode split into every encode, measuring passes side by side)
 *   plain  the same renditions made by plain ffmpeg commands, one after another
 */
import { readFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../worker/pipeline/ffmpeg.ts';
import { LADDER, transcodeTrack } from '../../worker/pipeline/transcode.ts';
import { measureLoudness, normaliseFilter } from '../../worker/pipeline/loudness.ts';

const [mode, input, outDir] = process.argv.slice(2) as ['veza' | 'plain', string, string];
await rm(outDir, { recursive: true, force: true });
const started = performance.now();
if (mode === 'veza') {
  await transcodeTrack({ input, outputDir: outDir });
} else {
  await mkdir(outDir, { recursive: true });
  const loud = await measureLoudness(input);
  const norm = normaliseFilter(loud);
  await run('ffmpeg', ['-v', 'error', '-i', input, '-ac', '1', '-ar', '8000', '-f', 's16le', '-y', join(outDir, 'waveform.pcm')]);
  for (const v of LADDER) {
    const dir = join(outDir, v.name);
    await mkdir(dir, { recursive: true });
    await run('ffmpeg', [
      '-v', 'error', '-y', '-i', input, '-af', `${norm},aresample=48000,aformat=sample_fmts=${v.codec === 'aac' ? 'fltp' : 'flt'}:sample_rates=48000:channel_layouts=stereo`, '-c:a', v.codec === 'aac' ? 'aac' : 'libopus', '-b:a', `${v.bitrateKbps}k`,
      '-f', 'hls', '-hls_time', '6', '-hls_playlist_type', 'vod', '-hls_segment_type', 'fmp4', '-hls_segment_filename', join(dir, 'seg_%03d.m4s'), join(dir, 'playlist.m3u8'),
    ]);
  }
  await run('ffmpeg', ['-v', 'error', '-y', '-i', input, '-af', `${norm},aresample=48000`, '-c:a', 'libmp3lame', '-b:a', '320k', '-ar', '44100', join(outDir, 'download.mp3')]);
  await run('ffmpeg', ['-v', 'error', '-y', '-i', input, '-c:a', 'flac', join(outDir, 'original.flac')]);
}
const wallSeconds = (performance.now() - started) / 1000;
const stat = (await readFile('/proc/self/stat', 'utf8')).slice((await readFile('/proc/self/stat', 'utf8')).lastIndexOf(')') + 2).split(' ');
// utime, stime, cutime, cstime (fields 14–17), in clock ticks of 1/100 s.
const cpuSeconds = (Number(stat[11]) + Number(stat[12]) + Number(stat[13]) + Number(stat[14])) / 100;
process.stdout.write(`${JSON.stringify({ mode, wallSeconds, cpuSeconds })}\n`);
