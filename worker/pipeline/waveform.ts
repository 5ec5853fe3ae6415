/**
 * Waveform peaks for drawing: the largest absolute amplitude (0..1) in each of a fixed
 * number of buckets, from mono 8 kHz PCM streamed out of ffmpeg (never held whole).
 */
import { run } from './ffmpeg.ts';

export const WAVEFORM_BUCKETS = 1800;
const RATE = 8000;

export async function computeWaveform(path: string, durationSeconds: number, buckets = WAVEFORM_BUCKETS): Promise<number[]> {
  const total = Math.max(1, Math.round(durationSeconds * RATE));
  const perBucket = total / buckets;
  const peaks = new Array<number>(buckets).fill(0);
  let index = 0;
  let carry: Buffer | null = null;
  await run('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:a:0', '-ac', '1', '-ar', String(RATE), '-f', 's16le', '-'], {
    onStdout: (chunk) => {
      const buf = carry ? Buffer.concat([carry, chunk]) : chunk;
      const usable = buf.length - (buf.length % 2);
      for (let o = 0; o < usable; o += 2) {
        const b = Math.min(buckets - 1, Math.floor(index / perBucket));
        const v = Math.abs(buf.readInt16LE(o)) / 32768;
        if (v > peaks[b]!) peaks[b] = v;
        index++;
      }
      carry = usable < buf.length ? buf.subarray(usable) : null;
    },
  });
  return peaks.map((p) => Math.round(p * 1000) / 1000);
}
