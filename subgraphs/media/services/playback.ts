/**
 * Playback sessions: start, heartbeat, stop. Each heartbeat keeps the listener present
 * and adds the time heard (never more than the wall-clock time since the last one); a
 * play is counted once per session, at 30 seconds heard or the end of a shorter track.
 */
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '../../../platform/db/orm.ts';
import { badInput, notFound, unauthenticated } from '../../../platform/errors.ts';
import { isUuid } from '../../../platform/ids.ts';
import type { Track } from '../entities/index.ts';
import { PlaybackSession } from '../entities/index.ts';
import type { ListenerCounter } from './listeners.ts';
import type { TrackService } from './tracks.ts';

export const PLAY_THRESHOLD_SECONDS = 30;

export class PlaybackService {
  readonly #tracks: TrackService;
  readonly #listeners: ListenerCounter;
  readonly #heartbeatSeconds: number;

  constructor(tracks: TrackService, listeners: ListenerCounter, heartbeatSeconds: number) {
    this.#tracks = tracks;
    this.#listeners = listeners;
    this.#heartbeatSeconds = heartbeatSeconds;
  }

  get heartbeatIntervalSeconds(): number {
    return this.#heartbeatSeconds;
  }

  async start(em: EntityManager, viewerId: string | null, trackId: string, secretToken: string | null): Promise<PlaybackSession> {
    const track = await this.#tracks.find(em, trackId, viewerId, secretToken);
    if (!track || track.status !== 'READY') throw notFound('Track', trackId);
    const session = em.create(PlaybackSession, { track, listenerId: viewerId, listenedSeconds: 0, counted: false, endedAt: null });
    await em.flush();
    await this.#listeners.touch(track.id, session.id);
    return session;
  }

  /**
   * Heartbeats and stops of one session take its row lock, and a heartbeat marks the
   * listener present before it commits: a stop waits for any heartbeat in flight, so its
   * removal always comes after that heartbeat's mark, and a heartbeat that comes after a
   * stop finds the session ended. (Without the lock, a heartbeat that read the session
   * before a stop committed put the listener back for a whole presence window.)
   */
  async heartbeat(em: EntityManager, viewerId: string | null, sessionId: string, positionSeconds: number): Promise<boolean> {
    if (!Number.isFinite(positionSeconds) || positionSeconds < 0) throw badInput('positionSeconds is a time in seconds.', 'positionSeconds');
    return em.transactional(async (tx) => {
      const session = await this.#open(tx, viewerId, sessionId);
      const now = new Date();
      const elapsed = (now.getTime() - session.lastHeartbeatAt.getTime()) / 1000;
      session.listenedSeconds += Math.max(0, elapsed);
      session.lastHeartbeatAt = now;
      const track = session.track.getEntity();
      await this.#countIfHeard(tx, session, track, positionSeconds);
      await tx.flush();
      await this.#listeners.touch(track.id, session.id);
      return true;
    });
  }

  async stop(em: EntityManager, viewerId: string | null, sessionId: string): Promise<boolean> {
    const trackId = await em.transactional(async (tx) => {
      const session = await this.#open(tx, viewerId, sessionId);
      const track = session.track.getEntity();
      session.listenedSeconds += Math.max(0, (Date.now() - session.lastHeartbeatAt.getTime()) / 1000);
      session.endedAt = new Date();
      await this.#countIfHeard(tx, session, track, null);
      await tx.flush();
      return track.id;
    });
    await this.#listeners.remove(trackId, sessionId);
    return true;
  }

  count(trackId: string): Promise<number> {
    return this.#listeners.count(trackId);
  }

  async #countIfHeard(em: EntityManager, session: PlaybackSession, track: Track, positionSeconds: number | null): Promise<void> {
    if (session.counted) return;
    const duration = track.durationSeconds ?? Number.POSITIVE_INFINITY;
    // Heard enough: 30 s, or (for a shorter track) all of it, give or take half a second.
    const needed = Math.min(PLAY_THRESHOLD_SECONDS, duration) - 0.5;
    const heard = Math.max(session.listenedSeconds, positionSeconds !== null ? Math.min(positionSeconds, session.listenedSeconds + 1) : 0);
    if (heard >= needed) {
      session.counted = true;
      // Atomic increment: concurrent sessions never lose a play.
      // In the caller's transaction (on its connection): a second connection per heartbeat could exhaust the pool.
      await em.getConnection().execute('update media.tracks set play_count = play_count + 1 where id = ?', [track.id], 'run', em.getTransactionContext());
    }
  }

  /** The open session, its row locked for the transaction `tx` (the track is read apart, unlocked). */
  async #open(tx: EntityManager, viewerId: string | null, sessionId: string): Promise<PlaybackSession> {
    const session = isUuid(sessionId) ? await tx.findOne(PlaybackSession, { id: sessionId, endedAt: null }, { lockMode: LockMode.PESSIMISTIC_WRITE }) : null;
    if (!session) throw notFound('Playback session', sessionId);
    await tx.populate(session, ['track']);
    if (session.listenerId !== viewerId) throw viewerId ? notFound('Playback session', sessionId) : unauthenticated();
    return session;
  }
}
