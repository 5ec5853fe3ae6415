/**
 * The live side of a channel (or a thread of it): new, edited and deleted messages,
 * reactions and typing, as subscription sources.
 *
 * Each source checks the viewer's rights once, when it starts (NOT_FOUND for a channel
 * that does not exist, FORBIDDEN without the rights), and keeps them through
 * `ChannelAccessWatch`: when the viewer loses them, the source ends with a FORBIDDEN error
 * as its last event. Events themselves cost no call to community.
 */
import type { EntityManager } from '../../../platform/db/orm.ts';
import { badInput, forbidden, internalError, notFound, unauthenticated } from '../../../platform/errors.ts';
import { closingWith, LiveEnd, LiveQueue } from '../../../platform/events/live-queue.ts';
import type { PubSubEngine } from '../../../platform/events/pubsub.ts';
import { isUuid } from '../../../platform/ids.ts';
import type { Logger } from '../../../platform/logger.ts';
import type { LiveMode } from '../../../platform/subgraph/live-modes.ts';
import type { ChannelAccessWatch } from './access-watch.ts';
import { allows, type ChannelAccess } from './channel-access.ts';
import { toPayload, type ChatEvents, type MessageDeletedPayload, type MessageEventPayload, type ReactionChangedPayload } from './chat-events.ts';
import { inPositionOrder } from './message-replay.ts';
import type { MessageService } from './messages.ts';
import type { ThreadService } from './threads.ts';
import type { TypingPayload } from './typing.ts';

/** Where a subscription listens: a channel, or one of its threads. */
export interface StreamArgs {
  channelId: string;
  threadId?: string | null;
}

export type LiveSource<T> = AsyncIterableIterator<T | LiveEnd>;

/**
 * The request's entity manager, asked for only when a source reads the database (a
 * thread's existence, a replay): a subscription keeps its context as long as it is open,
 * and most (every guard, every feed) never read anything.
 */
export type EntityManagerOf = () => EntityManager;

/** Reading messages as they come needs what reading them stored needs. */
const canRead = (a: ChannelAccess): boolean => a.canView && allows(a, 'READ_MESSAGE_HISTORY');
/** Seeing who types needs seeing the channel. */
const canView = (a: ChannelAccess): boolean => a.canView;

export interface ChannelFeedsDeps {
  pubsub: PubSubEngine;
  events: ChatEvents;
  watch: ChannelAccessWatch;
  messages: MessageService;
  threads: ThreadService;
  logger: Logger;
}

export class ChannelFeeds {
  readonly #d: ChannelFeedsDeps;

  constructor(deps: ChannelFeedsDeps) {
    this.#d = deps;
  }

  /**
   * New messages. With `afterPosition`, first every stored message after it, in order,
   * then live ones, none twice and none missed (see message-replay.ts).
   */
  async messageAdded(em: EntityManagerOf, viewerId: string | null, args: StreamArgs & { afterPosition?: number | null }, mode: LiveMode = 'direct'): Promise<LiveSource<MessageEventPayload>> {
    const after = args.afterPosition ?? null;
    if (after !== null && (!Number.isInteger(after) || after < 0)) throw badInput('afterPosition is a position (0 or more).', 'afterPosition');
    const { queue, streamId } = await this.#open<MessageEventPayload>(em, viewerId, args, mode, 'messageAdded', canRead);
    // A guard carries no events, so it replays none.
    if (mode === 'guard') return queue;
    // A fresh entity manager per page: a long replay does not grow one identity map.
    const read = async (from: number, before: number | null, limit: number) =>
      (await this.#d.messages.range(em().fork(), streamId, from, before, limit)).map(toPayload);
    return closingWith(queue, inPositionOrder(queue, after, read));
  }

  /** Edits (and pins) of messages. */
  async messageUpdated(em: EntityManagerOf, viewerId: string | null, args: StreamArgs, mode: LiveMode = 'direct'): Promise<LiveSource<MessageEventPayload>> {
    return (await this.#open<MessageEventPayload>(em, viewerId, args, mode, 'messageUpdated', canRead)).queue;
  }

  async messageDeleted(em: EntityManagerOf, viewerId: string | null, args: StreamArgs, mode: LiveMode = 'direct'): Promise<LiveSource<MessageDeletedPayload>> {
    return (await this.#open<MessageDeletedPayload>(em, viewerId, args, mode, 'messageDeleted', canRead)).queue;
  }

  async reactionChanged(em: EntityManagerOf, viewerId: string | null, args: StreamArgs, mode: LiveMode = 'direct'): Promise<LiveSource<ReactionChangedPayload>> {
    return (await this.#open<ReactionChangedPayload>(em, viewerId, args, mode, 'reactionChanged', canRead)).queue;
  }

  /** Others typing (the viewer's own notices are not sent back). */
  async typing(em: EntityManagerOf, viewerId: string | null, args: StreamArgs, mode: LiveMode = 'direct'): Promise<LiveSource<TypingPayload>> {
    return (await this.#open<TypingPayload>(em, viewerId, args, mode, 'typing', canView, (t) => t.userId !== viewerId)).queue;
  }

  /** Stops watching permission changes (the subgraph is stopping). */
  close(): Promise<void> {
    return this.#d.watch.close();
  }

  /**
   * Listens to the stream's trigger, then checks the viewer's rights (so nothing published
   * in between is lost), then the thread; any refusal closes what was opened.
   */
  async #open<T>(
    em: EntityManagerOf,
    viewerId: string | null,
    args: StreamArgs,
    mode: LiveMode,
    kind: Parameters<ChatEvents['trigger']>[0],
    allowed: (a: ChannelAccess) => boolean,
    keep?: (event: T) => boolean,
  ): Promise<{ queue: LiveQueue<T>; streamId: string }> {
    const { channelId } = args;
    const threadId = args.threadId ?? null;
    if (!isUuid(channelId)) throw notFound('Channel', channelId);
    if (threadId !== null && !isUuid(threadId)) throw notFound('Thread', threadId);
    const streamId = threadId ?? channelId;
    const queue = new LiveQueue<T>(this.#d.pubsub);
    // A feed is the gateway's, for the viewers whose guards it holds: the events, no viewer to check.
    if (mode === 'feed') {
      await queue.queueFrom(this.#d.events.trigger(kind, streamId), keep);
      return { queue, streamId };
    }
    if (!viewerId) throw unauthenticated();
    try {
      // A guard only watches the viewer's rights; it listens to no events.
      if (mode !== 'guard') await queue.queueFrom(this.#d.events.trigger(kind, streamId), keep);
      const watch = await this.#d.watch.watch(
        channelId,
        viewerId,
        (access) => {
          if (!allowed(access)) queue.end(new LiveEnd(forbidden('You can no longer read this channel.')));
        },
        (err) => {
          this.#d.logger.warn({ err, channelId }, 'could not re-check channel access; ending the subscription');
          queue.end(new LiveEnd(internalError('Your access to this channel could not be confirmed; subscribe again.')));
        },
      );
      queue.onClose(watch.stop);
      if (watch.access.communityId === null) throw notFound('Channel', channelId);
      if (!allowed(watch.access)) throw forbidden('You cannot read this channel.');
      if (threadId !== null) {
        const thread = await this.#d.threads.find(em(), threadId);
        if (!thread || thread.channelId !== channelId) throw notFound('Thread', threadId);
      }
      return { queue, streamId };
    } catch (err) {
      await queue.return();
      throw err;
    }
  }
}
