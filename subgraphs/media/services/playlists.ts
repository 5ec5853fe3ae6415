/** Playlists ("sets"): ordered lists of tracks, with the same visibility rules as tracks. */
import { randomBytes } from 'node:crypto';
import type { EntityManager } from '../../../platform/db/orm.ts';
import { badInput, notFound, unauthenticated } from '../../../platform/errors.ts';
import { isUuid } from '../../../platform/ids.ts';
import { encodeCursor, idCursor, positionCursor, toConnection, toPage, type Connection, type PageArgs } from '../../../platform/graphql/connection.ts';
import { Playlist, PlaylistTrack, Track, type TrackVisibility } from '../entities/index.ts';
import type { TrackService } from './tracks.ts';

export const MAX_PLAYLIST_TRACKS = 500;

function checkTitle(raw: string): string {
  const t = raw.trim();
  if (t.length < 1 || t.length > 200) throw badInput('A title is 1 to 200 characters.', 'title');
  return t;
}

function checkDescription(raw: string): string | null {
  const d = raw.trim();
  if (d.length > 5000) throw badInput('A description is at most 5,000 characters.', 'description');
  return d || null;
}

export class PlaylistService {
  readonly #tracks: TrackService;

  constructor(tracks: TrackService) {
    this.#tracks = tracks;
  }

  canSee(playlist: Playlist, viewerId: string | null, secretToken?: string | null): boolean {
    return (
      playlist.ownerId === viewerId ||
      playlist.visibility === 'PUBLIC' ||
      (playlist.visibility === 'UNLISTED' && secretToken != null && secretToken === playlist.secretToken)
    );
  }

  async find(em: EntityManager, id: string, viewerId: string | null, secretToken?: string | null): Promise<Playlist | null> {
    const playlist = isUuid(id) ? await em.findOne(Playlist, { id }) : null;
    return playlist && this.canSee(playlist, viewerId, secretToken) ? playlist : null;
  }

  async create(em: EntityManager, viewerId: string | null, input: { title: string; description?: string | null; visibility: TrackVisibility; trackIds?: string[] | null }): Promise<Playlist> {
    if (!viewerId) throw unauthenticated();
    const title = checkTitle(input.title);
    const description = input.description != null ? checkDescription(input.description) : null;
    const trackIds = await this.#addable(em, viewerId, input.trackIds ?? [], 0);
    return em.transactional(async (tx) => {
      const playlist = tx.create(Playlist, { ownerId: viewerId, title, description, visibility: input.visibility, secretToken: randomBytes(16).toString('base64url') });
      trackIds.forEach((trackId, position) => tx.create(PlaylistTrack, { playlist, track: trackId, position }));
      return playlist;
    });
  }

  async update(em: EntityManager, viewerId: string | null, input: { playlistId: string; title?: string | null; description?: string | null; visibility?: TrackVisibility | null }): Promise<Playlist> {
    const playlist = await this.#owned(em, viewerId, input.playlistId);
    if (input.title != null) playlist.title = checkTitle(input.title);
    if (input.description != null) playlist.description = checkDescription(input.description);
    if (input.visibility != null) playlist.visibility = input.visibility;
    await em.flush();
    return playlist;
  }

  async delete(em: EntityManager, viewerId: string | null, playlistId: string): Promise<boolean> {
    const playlist = await this.#owned(em, viewerId, playlistId);
    await em.nativeDelete(Playlist, { id: playlist.id });
    return true;
  }

  /** Appends tracks (or inserts them at `position`), skipping ones already in the playlist. */
  async add(em: EntityManager, viewerId: string | null, playlistId: string, trackIds: string[], position: number | null): Promise<Playlist> {
    const playlist = await this.#owned(em, viewerId, playlistId);
    const existing = await em.find(PlaylistTrack, { playlist: playlist.id }, { orderBy: { position: 'asc' } });
    const have = new Set(existing.map((e) => e.track.id));
    const fresh = (await this.#addable(em, viewerId!, trackIds, existing.length)).filter((id) => !have.has(id));
    const at = position == null ? existing.length : position;
    if (!Number.isInteger(at) || at < 0 || at > existing.length) throw badInput(`A position is 0 to ${existing.length}.`, 'position');
    const order = [...existing.map((e) => e.track.id)];
    order.splice(at, 0, ...fresh);
    await this.#write(em, playlist, order);
    return playlist;
  }

  async remove(em: EntityManager, viewerId: string | null, playlistId: string, trackId: string): Promise<Playlist> {
    const playlist = await this.#owned(em, viewerId, playlistId);
    const existing = await em.find(PlaylistTrack, { playlist: playlist.id }, { orderBy: { position: 'asc' } });
    if (!existing.some((e) => e.track.id === trackId)) throw notFound('Track in playlist', trackId);
    await this.#write(em, playlist, existing.map((e) => e.track.id).filter((id) => id !== trackId));
    return playlist;
  }

  async move(em: EntityManager, viewerId: string | null, playlistId: string, trackId: string, position: number): Promise<Playlist> {
    const playlist = await this.#owned(em, viewerId, playlistId);
    const order = (await em.find(PlaylistTrack, { playlist: playlist.id }, { orderBy: { position: 'asc' } })).map((e) => e.track.id);
    const from = order.indexOf(trackId);
    if (from < 0) throw notFound('Track in playlist', trackId);
    if (!Number.isInteger(position) || position < 0 || position >= order.length) throw badInput(`A position is 0 to ${order.length - 1}.`, 'position');
    order.splice(from, 1);
    order.splice(position, 0, trackId);
    await this.#write(em, playlist, order);
    return playlist;
  }

  /** The tracks of a playlist the viewer may see, in order (hidden ones are skipped, not counted). */
  async tracks(em: EntityManager, playlist: Playlist, viewerId: string | null, args: PageArgs): Promise<Connection<Track>> {
    if (args.last != null || args.before != null) throw badInput('Playlist tracks page forward only; use `first` and `after`.');
    const page = toPage(positionCursor, args, 50);
    const rows = await em.find(
      PlaylistTrack,
      { playlist: playlist.id, ...(page.after !== undefined ? { position: { $gt: page.after } } : {}) },
      { orderBy: { position: 'asc' }, limit: page.limit, populate: ['track'] },
    );
    const inPage = rows.slice(0, page.size).filter((r) => this.#tracks.canSee(r.track.getEntity(), viewerId));
    const edges = inPage.map((r) => ({ cursor: encodeCursor(positionCursor, r.position), node: r.track.getEntity() }));
    return {
      edges,
      pageInfo: {
        hasNextPage: rows.length > page.size,
        hasPreviousPage: page.after !== undefined,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: rows.length ? encodeCursor(positionCursor, rows[Math.min(rows.length, page.size) - 1]!.position) : null,
      },
    };
  }

  async count(em: EntityManager, playlistId: string): Promise<number> {
    return em.count(PlaylistTrack, { playlist: playlistId });
  }

  async ofOwner(em: EntityManager, ownerId: string, viewerId: string | null, args: PageArgs): Promise<Connection<Playlist>> {
    const page = toPage(idCursor, args);
    const rows = await em.find(
      Playlist,
      { ownerId, ...(page.after ? { id: { $lt: page.after } } : {}), ...(ownerId === viewerId ? {} : { visibility: 'PUBLIC' }) },
      { orderBy: { id: 'desc' }, limit: page.limit },
    );
    return toConnection(rows, page, idCursor, (p) => p.id);
  }

  async #write(em: EntityManager, playlist: Playlist, order: string[]): Promise<void> {
    if (order.length > MAX_PLAYLIST_TRACKS) throw badInput(`A playlist holds at most ${MAX_PLAYLIST_TRACKS} tracks.`, 'trackIds');
    // A fresh unit of work: the rows this request loaded are replaced, not updated.
    await em.fork({ clear: true }).transactional(async (tx) => {
      await tx.nativeDelete(PlaylistTrack, { playlist: playlist.id });
      order.forEach((trackId, position) => tx.create(PlaylistTrack, { playlist: playlist.id, track: trackId, position }));
    });
    // The rows were replaced wholesale; forget the old ones this request had loaded.
    em.clear();
  }

  /** The ids in order, deduplicated, each a track the owner may see. */
  async #addable(em: EntityManager, ownerId: string, trackIds: readonly string[], already: number): Promise<string[]> {
    const ids = [...new Set(trackIds)];
    if (already + ids.length > MAX_PLAYLIST_TRACKS) throw badInput(`A playlist holds at most ${MAX_PLAYLIST_TRACKS} tracks.`, 'trackIds');
    if (ids.some((id) => !isUuid(id))) throw badInput('Every track id must be a track.', 'trackIds');
    const tracks = ids.length ? await em.find(Track, { id: { $in: ids } }) : [];
    const ok = new Set(tracks.filter((t) => this.#tracks.canSee(t, ownerId)).map((t) => t.id));
    const missing = ids.filter((id) => !ok.has(id));
    if (missing.length) throw notFound('Track', missing[0]);
    return ids;
  }

  async #owned(em: EntityManager, viewerId: string | null, playlistId: string): Promise<Playlist> {
    if (!viewerId) throw unauthenticated();
    const playlist = isUuid(playlistId) ? await em.findOne(Playlist, { id: playlistId }) : null;
    if (!playlist || playlist.ownerId !== viewerId) throw notFound('Playlist', playlistId);
    return playlist;
  }
}
