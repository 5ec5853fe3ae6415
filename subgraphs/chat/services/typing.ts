/**
 * Typing indicators: ephemeral. Nothing is written to the database; an event goes to the
 * stream's live subscribers and says until when it holds (8 seconds), so a client that
 * stops typing simply lets it expire. Senders are throttled to one event per 3 seconds.
 */
import type { PubSubEngine } from '../../../platform/events/pubsub.ts';
import type { RateLimiter } from '../../../platform/rate-limit.ts';
import { forbidden, notFound } from '../../../platform/errors.ts';
import type { ChatEvents } from './chat-events.ts';
import { allows, type ChannelAccess } from './channel-access.ts';

export const TYPING_SECONDS = 8;

export interface TypingPayload {
  channelId: string;
  threadId: string | null;
  userId: string;
  expiresAt: string;
}

export class TypingService {
  readonly #pubsub: PubSubEngine;
  readonly #events: ChatEvents;
  readonly #limiter: RateLimiter;

  constructor(pubsub: PubSubEngine, events: ChatEvents, limiter: RateLimiter) {
    this.#pubsub = pubsub;
    this.#events = events;
    this.#limiter = limiter;
  }

  /** Announces that `userId` is typing; returns false when throttled (the last event still holds). */
  async start(userId: string, channelId: string, threadId: string | null, access: ChannelAccess): Promise<boolean> {
    if (!access.canView) throw notFound('Channel', channelId);
    const allowed = threadId ? allows(access, 'SEND_MESSAGES_IN_THREADS') : access.canSend;
    if (!allowed) throw forbidden('You cannot send messages here.');
    const stream = threadId ?? channelId;
    const throttle = await this.#limiter.hit({ name: 'typing', limit: 1, windowSeconds: 3 }, `${stream}:${userId}`);
    if (!throttle.allowed) return false;
    const payload: TypingPayload = { channelId, threadId, userId, expiresAt: new Date(Date.now() + TYPING_SECONDS * 1000).toISOString() };
    await this.#pubsub.publish(this.#events.trigger('typing', stream), payload);
    return true;
  }
}
