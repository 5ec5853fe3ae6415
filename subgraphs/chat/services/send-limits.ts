/**
 * Flood control for sending: a burst limit per user per channel that normal conversation
 * never reaches, and the channel's slow mode (one message per N seconds per member), which
 * members who manage messages or the channel are exempt from, as in Discord.
 */
import type { RateLimiter, RateLimitRule } from '../../../platform/rate-limit.ts';
import { rateLimited } from '../../../platform/errors.ts';
import { allows, type ChannelAccess } from './channel-access.ts';

/** At most this many messages per user per channel in 5 seconds. */
export const BURST: RateLimitRule = { name: 'send:burst', limit: 10, windowSeconds: 5 };

export class SendLimits {
  readonly #limiter: RateLimiter;
  readonly #burst: RateLimitRule;

  constructor(limiter: RateLimiter, burst: RateLimitRule = BURST) {
    this.#limiter = limiter;
    this.#burst = burst;
  }

  async check(userId: string, channelId: string, access: ChannelAccess): Promise<void> {
    const key = `${channelId}:${userId}`;
    const burst = await this.#limiter.hit(this.#burst, key);
    if (!burst.allowed) throw rateLimited(burst.retryAfterSeconds);
    const exempt = allows(access, 'MANAGE_MESSAGES') || allows(access, 'MANAGE_CHANNELS');
    if (access.slowModeSeconds > 0 && !exempt) {
      const slow = await this.#limiter.hit({ name: 'send:slow-mode', limit: 1, windowSeconds: access.slowModeSeconds }, key);
      if (!slow.allowed) throw rateLimited(slow.retryAfterSeconds);
    }
  }
}
