/**
 * HLS playlists are stored with relative URIs. Served to a player, every URI must work
 * on its own: sub-playlists point back at the stream route with the playback token, and
 * init and media segments become presigned object-store URLs.
 */
export interface PlaylistRewrite {
  /** URI for a sub-playlist, given its path relative to the track's HLS folder. */
  playlist: (path: string) => string;
  /** URI for a segment or init section, given its path relative to the track's HLS folder. */
  segment: (path: string) => Promise<string>;
}

/** Rewrites `body` (a playlist stored at `dir`, relative to the HLS folder). */
export async function rewritePlaylist(body: string, dir: string, rewrite: PlaylistRewrite): Promise<string> {
  const out: string[] = [];
  for (const line of body.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '') {
      out.push(line);
      continue;
    }
    if (trimmed.startsWith('#')) {
      const map = /^(#EXT-X-(?:MAP|MEDIA|I-FRAME-STREAM-INF):.*URI=")([^"]+)(".*)$/.exec(trimmed);
      if (map?.[2]) {
        const target = join(dir, map[2]);
        const uri = target.endsWith('.m3u8') ? rewrite.playlist(target) : await rewrite.segment(target);
        out.push(`${map[1]}${uri}${map[3]}`);
      } else {
        out.push(line);
      }
      continue;
    }
    const target = join(dir, trimmed);
    out.push(target.endsWith('.m3u8') ? rewrite.playlist(target) : await rewrite.segment(target));
  }
  return out.join('\n');
}

/** Joins a relative URI onto a folder, refusing anything that climbs out of it. */
export function join(dir: string, uri: string): string {
  if (/^[a-z]+:\/\//i.test(uri) || uri.startsWith('/')) throw new Error(`absolute URI in playlist: ${uri}`);
  const parts = [...(dir ? dir.split('/') : []), ...uri.split('?')[0]!.split('/')];
  const stack: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (!stack.pop()) throw new Error(`URI climbs out of the HLS folder: ${uri}`);
      continue;
    }
    stack.push(p);
  }
  return stack.join('/');
}
