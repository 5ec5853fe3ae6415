/**
 * Fixed-window rate limits ("at most N per window per key"), shared by every replica
 * through Redis in production and kept in memory in the embedded profile. Used where a
 * flood is cheap to send and costly to serve: sign-in, sign-up, message sends.
 */
import type { Redis } from 'ioredis';

export interface RateLimitRule {
  /** Names the limit in keys and errors, e.g. `sign-in:account`. */
  name: string;
  limit: number;
  windowSeconds: number;
}

export interface RateLimitOutcome {
  allowed: boolean;
  /** Seconds until the window resets (when refused). */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  hit(rule: RateLimitRule, key: string): Promise<RateLimitOutcome>;
  close(): Promise<void>;
}

export class MemoryRateLimiter implements RateLimiter {
  readonly #windows = new Map<string, { count: number; resetAt: number }>();

  async hit(rule: RateLimitRule, key: string): Promise<RateLimitOutcome> {
    const now = Date.now();
    const id = `${rule.name}:${key}`;
    let w = this.#windows.get(id);
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + rule.windowSeconds * 1000 };
      this.#windows.set(id, w);
      if (this.#windows.size > 100_000) this.#sweep(now);
    }
    w.count++;
    return { allowed: w.count <= rule.limit, retryAfterSeconds: Math.max(1, Math.ceil((w.resetAt - now) / 1000)) };
  }

  async close(): Promise<void> {
    this.#windows.clear();
  }

  #sweep(now: number): void {
    for (const [id, w] of this.#windows) if (w.resetAt <= now) this.#windows.delete(id);
  }
}

export class RedisRateLimiter implements RateLimiter {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  async hit(rule: RateLimitRule, key: string): Promise<RateLimitOutcome> {
    const id = `${this.#prefix}ratelimit:${rule.name}:${key}`;
    const res = await this.#redis.multi().incr(id).expire(id, rule.windowSeconds, 'NX').pttl(id).exec();
    const count = Number(res?.[0]?.[1] ?? 0);
    const ttlMs = Number(res?.[2]?.[1] ?? rule.windowSeconds * 1000);
    return { allowed: count <= rule.limit, retryAfterSeconds: Math.max(1, Math.ceil(ttlMs / 1000)) };
  }

  async close(): Promise<void> {
    await this.#redis.quit();
  }
}
