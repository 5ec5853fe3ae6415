/**
 * Live (ephemeral) publish/subscribe for GraphQL subscriptions: Redis in production so
 * every replica sees every event, in-process in the embedded profile.
 */
import { EventEmitter } from 'node:events';
import { PubSub, type PubSubEngine } from 'graphql-subscriptions';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { Redis } from 'ioredis';

export type { PubSubEngine };

/** Trigger (channel) names are prefixed by the caller with the deployment's Redis prefix. */
export function createPubSub(redisUrl: string | undefined): { pubsub: PubSubEngine; close: () => Promise<void> } {
  if (!redisUrl) {
    // Every live subscription on a trigger is one listener: thousands on a busy channel are normal.
    const eventEmitter = new EventEmitter();
    eventEmitter.setMaxListeners(0);
    return { pubsub: new PubSub({ eventEmitter }), close: async () => {} };
  }
  const publisher = new Redis(redisUrl);
  const subscriber = new Redis(redisUrl);
  const pubsub = new RedisPubSub({ publisher, subscriber });
  return { pubsub, close: () => pubsub.close().then(() => undefined) };
}
