/**
 * Benchmark M2 (BENCHMARKS.md): upload → playable. The platform runs as production runs
 * it (every Veza process and the object store on its own, bench/media/stack.ts); each
 * measurement is a client process (playable-client.ts) timing from `requestTrackUpload`
 * to a fetched first HLS segment, through the gateway and the object store, for the
 * generated 3-minute stereo 44.1 kHz track as WAV (and, with BENCH_M2_SOURCES, as a 320 kbit/s
 * MP3, interleaved).
 * A warm-up upload goes first; the worker's CPU (with its ffmpeg children) is read
 * around each measurement.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSecondsWithChildren, fmt, median, runChild, type BenchOutput } from '../support.ts';
import { startMediaStack } from './stack.ts';
import { makeBenchMp3, makeBenchWav } from './track.ts';

const client = fileURLToPath(new URL('./playable-client.ts', import.meta.url));

interface Timing {
  uploadedAt: number;
  completedAt: number;
  readyAt: number;
  segmentAt: number;
  doneAt: number;
  codec: string;
}

const ALL_SOURCES = [
  { key: 'wav', name: 'WAV (31.8 MB)', file: 'track.wav', contentType: 'audio/wav' },
  { key: 'mp3', name: 'MP3 320k (7.2 MB)', file: 'track.mp3', contentType: 'audio/mpeg' },
] as const;
/**
 * BENCH_M2_SOURCES=wav,mp3 picks the uploads (the WAV alone by default: the MP3's figures
 * were the WAV's within 10 % in every run, and each measurement waits for the whole
 * ladder, ~20 s on a slow machine).
 */
const SOURCES = ALL_SOURCES.filter((s) => (process.env['BENCH_M2_SOURCES'] ?? 'wav').split(',').map((k) => k.trim().toLowerCase()).includes(s.key));

export async function runPlayableBench(rounds: number): Promise<BenchOutput> {
  const dir = await mkdtemp(join(tmpdir(), 'veza-bench-m2-'));
  const load = [loadavg()[0]!];
  try {
    await makeBenchWav(join(dir, 'track.wav'));
    if (SOURCES.some((s) => s.key === 'mp3')) await makeBenchMp3(join(dir, 'track.wav'), join(dir, 'track.mp3'));
    await makeBenchWav(join(dir, 'warm-up.wav'), 10);
    const stack = await startMediaStack();
    try {
      const measure = async (file: string, contentType: string) => {
        const before = await cpuSecondsWithChildren(stack.workerPid);
        const out = await runChild(client, [JSON.stringify({ url: stack.url, file: join(dir, file), contentType })]);
        const timing = JSON.parse(out.trim().split('\n').at(-1)!) as Timing;
        return { ...timing, workerCpu: (await cpuSecondsWithChildren(stack.workerPid)) - before };
      };
      await measure('warm-up.wav', 'audio/wav');
      const results = new Map<string, (Timing & { workerCpu: number })[]>();
      for (let r = 0; r < rounds; r++) {
        for (const s of SOURCES) results.set(s.name, [...(results.get(s.name) ?? []), await measure(s.file, s.contentType)]);
      }
      load.push(loadavg()[0]!);
      const lines = [
        `Generated 3-minute stereo 44.1 kHz track; platform as separate processes (5 subgraphs, gateway, worker, s3rver; PostgreSQL and Redis of the machine), each measurement a client process. ${rounds} rounds interleaved after a warm-up, median [min–max] in seconds from \`requestTrackUpload\`. Load average (1 min) at start ${fmt(load[0]!, 2)}, at end ${fmt(load[1]!, 2)}.`,
        '',
        '| source | upload → first segment fetched | PUT done | completeTrackUpload done | READY seen | all renditions made | worker CPU s |',
        '|---|---|---|---|---|---|---|',
      ];
      const ratios: Record<string, number> = {};
      const figures: Record<string, number> = {};
      for (const s of SOURCES) {
        const rs = results.get(s.name) ?? [];
        const col = (k: keyof Omit<Timing, 'codec'> | 'workerCpu') => fmt(median(rs.map((x) => x[k])));
        const seg = rs.map((x) => x.segmentAt);
        // No peer to divide by: the time itself, and its share of the time every rendition takes.
        figures[`M2 ${s.name.split(' ')[0]} upload → first segment s`] = median(seg);
        ratios[`M2 ${s.name.split(' ')[0]} first segment / all renditions`] = median(seg) / median(rs.map((x) => x.doneAt));
        lines.push(`| ${s.name} | **${fmt(median(seg))}** [${fmt(Math.min(...seg))}–${fmt(Math.max(...seg))}] | ${col('uploadedAt')} | ${col('completedAt')} | ${col('readyAt')} | ${col('doneAt')} | ${col('workerCpu')} |`);
      }
      lines.push('', `First segments checked with ffprobe: ${[...new Set([...results.values()].flat().map((x) => x.codec))].join(', ')}.`);
      return { markdown: lines.join('\n'), ratios, figures };
    } finally {
      await stack.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
