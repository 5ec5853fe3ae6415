/**
 * What the worker makes, and where in its output folder:
 *
 *   hls/master.m3u8            adaptive ladder: AAC-LC 64/128/256 kbit/s and Opus 96/160 kbit/s,
 *   hls/<variant>/...          fMP4 segments of ~6 s, all normalised to the loudness target
 *   download.mp3               MP3 320 kbit/s CBR, normalised, tags kept
 *   original.flac              the untouched audio, only when the source is lossless
 *   artwork.jpg                the picture embedded in the file, if any
 */
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

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

/**
 * The variant made first, with which a track becomes playable: AAC-LC plays everywhere
 * (Safari's native HLS included, which Opus in fMP4 does not on older systems), and at
 * 128 kbit/s it is the ladder's usual starting rung.
 */
export const PLAYABLE_VARIANT: Variant = LADDER[1]!;

export interface OutputFile {
  /** Path relative to the output folder. */
  path: string;
  contentType: string;
  byteSize: number;
  kind: 'HLS_MASTER' | 'HLS_VARIANT' | 'HLS_SEGMENT' | 'MP3' | 'FLAC' | 'ARTWORK';
  codec: string | null;
  bitrateKbps: number | null;
}

export const MASTER_PATH = 'hls/master.m3u8';

/** The master playlist of `variants`, written by hand so every variant carries its CODECS (ffmpeg omits Opus's). */
export function masterPlaylist(variants: readonly Variant[]): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const v of variants) {
    // BANDWIDTH: peak bits per second, with ~10 % for the container.
    lines.push(`#EXT-X-STREAM-INF:BANDWIDTH=${Math.round(v.bitrateKbps * 1100)},AVERAGE-BANDWIDTH=${v.bitrateKbps * 1000},CODECS="${v.codec === 'aac' ? 'mp4a.40.2' : 'opus'}"`);
    lines.push(`${v.name}/playlist.m3u8`);
  }
  return `${lines.join('\n')}\n`;
}

/** The files under `dir` (or under `dir/under` only), described, sorted by path. */
export async function describe(dir: string, under = ''): Promise<OutputFile[]> {
  const out: OutputFile[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) await walk(full);
      else {
        const file = classify(relative(dir, full), (await stat(full)).size);
        if (file) out.push(file);
      }
    }
  };
  await walk(join(dir, under));
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** What a file of the output folder is; null for working files that are not renditions. */
function classify(path: string, byteSize: number): OutputFile | null {
  const variant = LADDER.find((v) => path.startsWith(`hls/${v.name}/`));
  if (path === MASTER_PATH) return { path, byteSize, contentType: 'application/vnd.apple.mpegurl', kind: 'HLS_MASTER', codec: null, bitrateKbps: null };
  if (variant && path.endsWith('.m3u8')) return { path, byteSize, contentType: 'application/vnd.apple.mpegurl', kind: 'HLS_VARIANT', codec: variant.codec, bitrateKbps: variant.bitrateKbps };
  if (variant) return { path, byteSize, contentType: 'audio/mp4', kind: 'HLS_SEGMENT', codec: variant.codec, bitrateKbps: variant.bitrateKbps };
  if (path === 'download.mp3') return { path, byteSize, contentType: 'audio/mpeg', kind: 'MP3', codec: 'mp3', bitrateKbps: 320 };
  if (path === 'original.flac') return { path, byteSize, contentType: 'audio/flac', kind: 'FLAC', codec: 'flac', bitrateKbps: null };
  if (path === 'artwork.jpg') return { path, byteSize, contentType: 'image/jpeg', kind: 'ARTWORK', codec: null, bitrateKbps: null };
  return null;
}
