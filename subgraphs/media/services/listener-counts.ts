/**
 * Listener counts for live subscriptions. A count changes without any event (a silent
 * listener's presence simply runs out), so it is polled rather than published: once a
 * second per track that someone on this replica watches, however many watch it (the
 * counter itself is shared by every replica, in Redis). Watchers hear of changes only, at
 * most once a second, with the track as it is then, so that they can check it is still
 * theirs to see (one query per changed track, not per watcher).
 */
import type { Logger } from '../../../platform/logger.ts';
import type { Track } from '../entities/index.ts';
import type { ListenerCounter } from './listeners.ts';

export interface ListenerCountEvent {
  trackId: string;
  count: number;
  at: Date;
}

/** Gets a changed count, and the track then (null once it is deleted). */
export type CountWatcher = (event: ListenerCountEvent, track: Track | null) => void;

interface Watched {
  last: number | undefined;
  watchers: Set<CountWatcher>;
}

export interface ListenerCountFeedOptions {
  counter: ListenerCounter;
  /** Loads tracks by id (one query for every changed track of a poll). */
  tracks: (ids: string[]) => Promise<Track[]>;
  logger: Logger;
  /** How often counts are polled. Default 1 s. */
  intervalMs?: number;
}

export class ListenerCountFeed {
  readonly #o: ListenerCountFeedOptions;
  readonly #watched = new Map<string, Watched>();
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;

  constructor(opts: ListenerCountFeedOptions) {
    this.#o = opts;
  }

  /** The count now. */
  async count(trackId: string): Promise<ListenerCountEvent> {
    return { trackId, count: await this.#o.counter.count(trackId), at: new Date() };
  }

  /** Calls `watcher` when the track's count changes, until the returned function is called. */
  watch(trackId: string, watcher: CountWatcher): () => void {
    let watched = this.#watched.get(trackId);
    if (!watched) this.#watched.set(trackId, (watched = { last: undefined, watchers: new Set() }));
    watched.watchers.add(watcher);
    this.#timer ??= setInterval(() => this.#tick(), this.#o.intervalMs ?? 1000);
    return () => {
      watched.watchers.delete(watcher);
      if (watched.watchers.size === 0 && this.#watched.get(trackId) === watched) this.#watched.delete(trackId);
      if (this.#watched.size === 0) this.#stopTimer();
    };
  }

  async close(): Promise<void> {
    this.#watched.clear();
    this.#stopTimer();
    await this.#polling;
  }

  #stopTimer(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    // A slow poll (Redis under load) is not stacked with the next one.
    if (this.#polling) return;
    this.#polling = this.#poll()
      .catch((err: unknown) => this.#o.logger.warn({ err }, 'listener count poll failed; will retry'))
      .finally(() => (this.#polling = undefined));
  }

  async #poll(): Promise<void> {
    const changed: [string, Watched, number][] = [];
    await Promise.all(
      [...this.#watched].map(async ([trackId, watched]) => {
        const count = await this.#o.counter.count(trackId);
        if (count !== watched.last) changed.push([trackId, watched, count]);
      }),
    );
    if (changed.length === 0) return;
    const tracks = new Map((await this.#o.tracks(changed.map(([id]) => id))).map((t) => [t.id, t]));
    const at = new Date();
    for (const [trackId, watched, count] of changed) {
      watched.last = count;
      for (const watcher of [...watched.watchers]) watcher({ trackId, count, at }, tracks.get(trackId) ?? null);
    }
  }
}
