/**
 * Domain events between subgraphs ("a track was created", "a user signed up").
 *
 * Delivery is at-least-once per consumer group: every group sees every event, a handler
 * that throws gets the event again, and events published while a consumer is down wait
 * for it. Handlers must therefore be idempotent. Events are published only after the
 * transaction that produced them has committed.
 */
export interface DomainEvent<P = unknown> {
  /** Unique id of the event (UUIDv7), for idempotent handling. */
  id: string;
  topic: string;
  /** ISO timestamp of when the event was published. */
  occurredAt: string;
  payload: P;
}

export type EventHandler<P = unknown> = (event: DomainEvent<P>) => Promise<void>;

export interface EventBus {
  publish<P>(topic: string, payload: P): Promise<DomainEvent<P>>;
  /**
   * Consumes `topic` as `group`. Within a group each event is handled once (by one of the
   * group's consumers); different groups each get every event.
   */
  consume<P>(topic: string, group: string, handler: EventHandler<P>): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Every topic a subgraph publishes, with its payload, in one place. */
export interface EventTopics {
  'community.user.created': { userId: string; handle: string; displayName: string };
  /** A user's handle or display name changed. */
  'community.user.updated': { userId: string; handle: string; displayName: string };
  /**
   * Who may do what changed (role edit, overwrite, membership, timeout...). Consumers
   * drop cached permissions for the community (narrowed to a user or channel when set).
   */
  'community.permissions.changed': { communityId: string; userId: string | null; channelId: string | null; reason: string };
  /** A member left or was removed; a ban may ask chat to delete their recent messages. */
  'community.member.removed': { communityId: string; userId: string; reason: 'LEAVE' | 'KICK' | 'BAN'; deleteMessageSeconds: number };
  /** A community was deleted with all its channels. */
  'community.deleted': { communityId: string };
  /** A track became playable, or its public details changed. */
  'media.track.published': { trackId: string; ownerId: string; title: string; description: string | null; visibility: 'PUBLIC' | 'UNLISTED' | 'PRIVATE' };
}
export type Topic = keyof EventTopics;
