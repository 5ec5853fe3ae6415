/**
 * Live subscribers' rights in their channels, kept current without asking community per
 * event: asked once when a subscription starts, then again only when community announces
 * a permission change (on the live trigger, which every replica receives) that may concern
 * that viewer in that channel: same community, and the change names no user or this one,
 * no channel or this one.
 *
 * One pubsub subscription per process serves every watcher. Watchers of the same viewer
 * and channel (a client usually holds several subscriptions on one channel, and each
 * gateway replica opens its own for a viewer connected to it) share each check: while one
 * of them is watched, the last answer stands until a change is announced (or for
 * `KNOWN_FOR_MS` at most), so a new watcher takes it without asking, and one change costs
 * one call per viewer and channel, not per subscription.
 */
import type { PubSubEngine } from '../../../platform/events/pubsub.ts';
import { permissionsChangedTrigger, type PermissionsChanged } from '../../../platform/events/live-triggers.ts';
import type { ChannelAccess, ChannelAccessClient } from './channel-access.ts';

interface Watcher {
  channelId: string;
  userId: string;
  /** The channel's community, once the first check has answered. */
  communityId: string | null | undefined;
  /** A change arrived before the first check answered: check again when it has. */
  missed: boolean;
  /** Generation of the latest check asked for; answers to older ones are ignored. */
  asked: number;
  onAccess: (access: ChannelAccess) => void;
  onError: (err: unknown) => void;
}

/** How long a known answer is given to new watchers when no change was announced (a bound in case an announcement was lost). */
const KNOWN_FOR_MS = 30_000;

export interface AccessWatchHandle {
  /** The rights when the watch started. */
  access: ChannelAccess;
  stop: () => void;
}

export class ChannelAccessWatch {
  readonly #pubsub: PubSubEngine;
  readonly #client: ChannelAccessClient;
  readonly #trigger: string;
  /** Counts the permission changes received; a check started before the latest one is stale. */
  #generation = 0;
  readonly #starting = new Set<Watcher>();
  readonly #byCommunity = new Map<string, Set<Watcher>>();
  readonly #inflight = new Map<string, { generation: number; answer: Promise<ChannelAccess> }>();
  /** Per viewer and channel being watched: how many watchers, and the latest answer with the generation it was asked in. */
  readonly #keys = new Map<string, { watchers: number; known: { generation: number; at: number; access: ChannelAccess } | undefined }>();
  #subscription: Promise<number> | undefined;

  /** `prefix` is the deployment's Redis prefix (see `permissionsChangedTrigger`). */
  constructor(pubsub: PubSubEngine, client: ChannelAccessClient, prefix: string) {
    this.#pubsub = pubsub;
    this.#client = client;
    this.#trigger = permissionsChangedTrigger(prefix);
  }

  /**
   * The viewer's rights in the channel now. Until `stop`, `onAccess` receives them again
   * after each announced change that may concern them (`onError` when asking failed).
   */
  async watch(channelId: string, userId: string, onAccess: (access: ChannelAccess) => void, onError: (err: unknown) => void): Promise<AccessWatchHandle> {
    // Listening before the first check: a change committed after it read is never missed.
    await this.#listen();
    const watcher: Watcher = { channelId, userId, communityId: undefined, missed: false, asked: this.#generation, onAccess, onError };
    const key = keyOf(channelId, userId);
    const entry = this.#keys.get(key) ?? { watchers: 0, known: undefined };
    entry.watchers += 1;
    this.#keys.set(key, entry);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      entry.watchers -= 1;
      if (entry.watchers === 0 && this.#keys.get(key) === entry) this.#keys.delete(key);
    };
    this.#starting.add(watcher);
    let access: ChannelAccess;
    try {
      access = await this.#check(channelId, userId);
    } catch (err) {
      release();
      throw err;
    } finally {
      this.#starting.delete(watcher);
    }
    watcher.communityId = access.communityId;
    if (access.communityId !== null) {
      let set = this.#byCommunity.get(access.communityId);
      if (!set) this.#byCommunity.set(access.communityId, (set = new Set()));
      set.add(watcher);
      if (watcher.missed) void this.#recheck(watcher);
    }
    return {
      access,
      stop: () => {
        this.#forget(watcher);
        release();
      },
    };
  }

  /** Stops listening (the subgraph is stopping). */
  async close(): Promise<void> {
    const subscription = this.#subscription;
    this.#subscription = undefined;
    if (subscription) this.#pubsub.unsubscribe(await subscription);
  }

  async #listen(): Promise<void> {
    if (!this.#subscription) {
      this.#subscription = this.#pubsub.subscribe(this.#trigger, (change: PermissionsChanged) => this.#changed(change), {});
      // A failed subscribe is tried again by the next watcher.
      void this.#subscription.catch(() => (this.#subscription = undefined));
    }
    await this.#subscription;
  }

  #changed(change: PermissionsChanged): void {
    this.#generation += 1;
    for (const w of this.#starting) w.missed = true;
    for (const w of this.#byCommunity.get(change.communityId) ?? []) {
      const concerned = (change.userId === null || change.userId === w.userId) && (change.channelId === null || change.channelId === w.channelId);
      if (concerned) void this.#recheck(w);
    }
  }

  async #recheck(w: Watcher): Promise<void> {
    const generation = this.#generation;
    w.asked = generation;
    try {
      const access = await this.#check(w.channelId, w.userId);
      if (w.asked === generation && this.#isWatched(w)) w.onAccess(access);
    } catch (err) {
      if (w.asked === generation && this.#isWatched(w)) w.onError(err);
    }
  }

  /**
   * One call per viewer and channel per change, however many subscriptions ask: the answer
   * being asked for, or the last one while no change has been announced since it was asked.
   */
  #check(channelId: string, userId: string): Promise<ChannelAccess> {
    const key = keyOf(channelId, userId);
    const generation = this.#generation;
    const known = this.#keys.get(key)?.known;
    if (known && known.generation === generation && performance.now() - known.at < KNOWN_FOR_MS) return Promise.resolve(known.access);
    const current = this.#inflight.get(key);
    if (current && current.generation === generation) return current.answer;
    const at = performance.now();
    const entry = { generation, answer: this.#client.check(channelId, userId) };
    this.#inflight.set(key, entry);
    const settled = () => {
      if (this.#inflight.get(key) === entry) this.#inflight.delete(key);
    };
    entry.answer.then((access) => {
      settled();
      // Kept only while someone watches it, and only if no change came meanwhile.
      const watched = this.#keys.get(key);
      if (watched && generation === this.#generation && (!watched.known || watched.known.at <= at)) watched.known = { generation, at, access };
    }, settled);
    return entry.answer;
  }

  #isWatched(w: Watcher): boolean {
    return w.communityId != null && (this.#byCommunity.get(w.communityId)?.has(w) ?? false);
  }

  #forget(w: Watcher): void {
    if (w.communityId == null) return;
    const set = this.#byCommunity.get(w.communityId);
    set?.delete(w);
    if (set?.size === 0) this.#byCommunity.delete(w.communityId);
  }
}

const keyOf = (channelId: string, userId: string) => `${channelId}:${userId}`;
