/**
 * Live listener counts. Each playback session is present while it heartbeats; a session
 * that goes silent for `presenceSeconds` stops counting on its own. In Redis a sorted set
 * per track holds session ids scored by their expiry (shared by every media replica); in
 * the embedded profile a map does the same in memory.
 */
import type { Redis } from 'ioredis';

export interface ListenerCounter {
  /** Marks the session present for the next `presenceSeconds`. */
  touch(trackId: string, sessionId: string): Promise<void>;
  remove(trackId: string, sessionId: string): Promise<void>;
  count(trackId: string): Promise<number>;
  close(): Promise<void>;
}

export class MemoryListenerCounter implements ListenerCounter {
  readonly #tracks = new Map<string, Map<string, number>>();
  readonly #presenceMs: number;

  constructor(presenceSeconds: number) {
    this.#presenceMs = presenceSeconds * 1000;
  }

  async touch(trackId: string, sessionId: string): Promise<void> {
    let sessions = this.#tracks.get(trackId);
    if (!sessions) this.#tracks.set(trackId, (sessions = new Map<string, number>()));
    sessions.set(sessionId, Date.now() + this.#presenceMs);
  }

  async remove(trackId: string, sessionId: string): Promise<void> {
    this.#tracks.get(trackId)?.delete(sessionId);
  }

  async count(trackId: string): Promise<number> {
    const sessions = this.#tracks.get(trackId);
    if (!sessions) return 0;
    const now = Date.now();
    for (const [id, until] of sessions) if (until <= now) sessions.delete(id);
    if (sessions.size === 0) this.#tracks.delete(trackId);
    return sessions.size;
  }

  async close(): Promise<void> {
    this.#tracks.clear();
  }
}

export class RedisListenerCounter implements ListenerCounter {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #presenceMs: number;

  constructor(redis: Redis, prefix: string, presenceSeconds: number) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#presenceMs = presenceSeconds * 1000;
  }

  #key(trackId: string): string {
    return `${this.#prefix}listeners:${trackId}`;
  }

  async touch(trackId: string, sessionId: string): Promise<void> {
    const key = this.#key(trackId);
    await this.#redis.multi().zadd(key, Date.now() + this.#presenceMs, sessionId).pexpire(key, this.#presenceMs * 2).exec();
  }

  async remove(trackId: string, sessionId: string): Promise<void> {
    await this.#redis.zrem(this.#key(trackId), sessionId);
  }

  async count(trackId: string): Promise<number> {
    const key = this.#key(trackId);
    const now = Date.now();
    const res = await this.#redis.multi().zremrangebyscore(key, '-inf', now).zcard(key).exec();
    return Number(res?.[1]?.[1] ?? 0);
  }

  async close(): Promise<void> {
    await this.#redis.quit();
  }
}
