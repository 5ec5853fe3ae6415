/**
 * Benchmark M1 (BENCHMARKS.md): a generated 3-minute stereo 44.1 kHz track through the
 * worker's full ladder, against the same renditions made by plain ffmpeg commands, in
 * the same run, interleaved; wall time and CPU seconds, ratio worker/plain.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, median, runChild, type BenchOutput } from '../support.ts';
import { makeBenchWav } from './track.ts';

export async function runMediaBench(rounds: number): Promise<BenchOutput> {
  const dir = await mkdtemp(join(tmpdir(), 'veza-bench-media-'));
  try {
    const input = join(dir, 'track.wav');
    await makeBenchWav(input);
    const script = fileURLToPath(new URL('./transcode-one.ts', import.meta.url));
    const load = [loadavg()[0]!];
    const results: Record<'veza' | 'plain', { wallSeconds: number; cpuSeconds: number }[]> = { veza: [], plain: [] };
    for (let r = 0; r < rounds; r++) {
      for (const mode of ['veza', 'plain'] as const) {
        const out = await runChild(script, [mode, input, join(dir, `out-${mode}`)]);
        results[mode].push(JSON.parse(out.trim()) as { wallSeconds: number; cpuSeconds: number });
      }
    }
    load.push(loadavg()[0]!);
    const m = (mode: 'veza' | 'plain', k: 'wallSeconds' | 'cpuSeconds') => median(results[mode].map((x) => x[k]));
    const span = (mode: 'veza' | 'plain', k: 'wallSeconds' | 'cpuSeconds') => `${fmt(Math.min(...results[mode].map((x) => x[k])))}–${fmt(Math.max(...results[mode].map((x) => x[k])))}`;
    const markdown = [
      `3-minute stereo 44.1 kHz WAV; renditions: HLS fMP4 AAC 64/128/256 + Opus 96/160 (normalised to −14 LUFS), MP3 320, FLAC. Veza: the worker's two phases (one measuring pass for loudness, waveform and tempo; AAC 128 with a normalised copy; then the other renditions and the spectral summary from it, one ffmpeg each, at niceness 10), uploads left out. Plain: loudnorm's own analysis pass (beside it a waveform pass and the FLAC copy), then one command per rendition, each normalising with the same filter (the same audio); ${availableParallelism()} commands at once, as the worker's second phase runs them (so the wall times compare the work, not how many cores each keeps busy); no tempo or spectral analysis. ${rounds} rounds interleaved, median [min–max]. Load average (1 min) at start ${fmt(load[0]!, 2)}, at end ${fmt(load[1]!, 2)}.`,
      '',
      '| pipeline | wall s | CPU s | wall vs plain | CPU vs plain |',
      '|---|---|---|---|---|',
      `| Veza worker | ${fmt(m('veza', 'wallSeconds'))} [${span('veza', 'wallSeconds')}] | ${fmt(m('veza', 'cpuSeconds'))} [${span('veza', 'cpuSeconds')}] | ${fmt(m('veza', 'wallSeconds') / m('plain', 'wallSeconds'), 2)}× | ${fmt(m('veza', 'cpuSeconds') / m('plain', 'cpuSeconds'), 2)}× |`,
      `| plain ffmpeg, one command per rendition, ${availableParallelism()} at once | ${fmt(m('plain', 'wallSeconds'))} [${span('plain', 'wallSeconds')}] | ${fmt(m('plain', 'cpuSeconds'))} [${span('plain', 'cpuSeconds')}] | 1.00× | 1.00× |`,
    ].join('\n');
    return {
      markdown,
      ratios: {
        'M1 worker/plain CPU s': m('veza', 'cpuSeconds') / m('plain', 'cpuSeconds'),
        'M1 worker/plain wall s': m('veza', 'wallSeconds') / m('plain', 'wallSeconds'),
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
