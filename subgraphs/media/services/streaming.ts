/**
 * Playback URLs. The HLS master playlist is served through the gateway's `/stream/`
 * route with a playback token; the playlists it serves point to each other with the same
 * token, and to init and media segments with presigned object-store URLs. MP3 and FLAC
 * downloads are presigned object-store URLs (range requests work there).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EntityManager } from '../../../platform/db/orm.ts';
import type { ObjectStore } from '../../../platform/storage/object-store.ts';
import { isUuid } from '../../../platform/ids.ts';
import { Rendition, Track } from '../entities/index.ts';
import { rewritePlaylist } from './hls-playlists.ts';
import type { StreamTokens } from './stream-tokens.ts';

export const STREAM_TTL_SECONDS = 3600;
/** Where the gateway forwards playlist requests. */
export const STREAM_ROUTE = '/stream/';

export interface TrackStreamUrls {
  hlsUrl: string;
  mp3Url: string | null;
  flacUrl: string | null;
  expiresAt: Date;
}

export class StreamService {
  readonly #store: ObjectStore;
  readonly #tokens: StreamTokens;
  readonly #publicUrl: () => string;

  /** `publicUrl` is the gateway's address as clients reach it (read at call time). */
  constructor(store: ObjectStore, tokens: StreamTokens, publicUrl: () => string) {
    this.#store = store;
    this.#tokens = tokens;
    this.#publicUrl = publicUrl;
  }

  async urls(em: EntityManager, track: Track): Promise<TrackStreamUrls | null> {
    if (track.status !== 'READY' || !track.renditionsPrefix) return null;
    const renditions = await em.find(Rendition, { track: track.id });
    const master = renditions.find((r) => r.kind === 'HLS_MASTER');
    if (!master) return null;
    const expiresAt = new Date(Date.now() + STREAM_TTL_SECONDS * 1000);
    const token = this.#tokens.sign(track.id, expiresAt);
    const relative = master.key.slice(track.renditionsPrefix.length).replace(/^\/+/, '');
    const file = async (kind: 'MP3' | 'FLAC') => {
      const r = renditions.find((x) => x.kind === kind);
      return r ? this.#store.presignGet(r.key, STREAM_TTL_SECONDS) : null;
    };
    return {
      hlsUrl: `${this.#publicUrl()}${STREAM_ROUTE}${track.id}/${relative}?t=${encodeURIComponent(token)}`,
      mp3Url: await file('MP3'),
      flacUrl: await file('FLAC'),
      expiresAt,
    };
  }

  /** `GET /stream/<trackId>/<path>.m3u8?t=<token>`: a playlist with every URI made playable. */
  handler(fork: () => EntityManager): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
    return async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://stream');
      const rest = url.pathname.slice(STREAM_ROUTE.length);
      const slash = rest.indexOf('/');
      const trackId = rest.slice(0, slash);
      const path = rest.slice(slash + 1);
      const token = url.searchParams.get('t');
      if (slash < 0 || !isUuid(trackId) || !path.endsWith('.m3u8') || path.includes('..')) return plain(res, 404, 'not found');
      if (!this.#tokens.verify(trackId, token)) return plain(res, 403, 'the playback link is invalid or has expired');
      const track = await fork().findOne(Track, { id: trackId });
      if (!track?.renditionsPrefix || track.status !== 'READY') return plain(res, 404, 'not found');
      const prefix = track.renditionsPrefix.replace(/\/+$/, '');
      let body: string;
      try {
        body = await streamToString(await this.#store.get(`${prefix}/${path}`));
      } catch {
        return plain(res, 404, 'not found');
      }
      const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
      const rewritten = await rewritePlaylist(body, dir, {
        playlist: (p) => `${STREAM_ROUTE}${trackId}/${p}?t=${encodeURIComponent(token ?? '')}`,
        segment: (p) => this.#store.presignGet(`${prefix}/${p}`, STREAM_TTL_SECONDS),
      });
      res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl', 'cache-control': 'private, max-age=60' });
      res.end(rewritten);
    };
  }
}

function plain(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(message);
}

async function streamToString(stream: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}
