/**
 * `messageAdded` in position order, exactly once, across the seam between what is already
 * stored and what is arriving live.
 *
 * The live trigger is subscribed first (its events queue up), then the stream is read
 * from the database after the client's last position, then the queue is drained, skipping
 * positions already sent. Positions have no holes when they are committed (each is taken
 * under the row lock of the stream's sequence, in the transaction of its message), so a
 * live event beyond the next position means earlier events are late (another replica's
 * relay, say): the missing positions are read from the database first (any not found were
 * deleted meanwhile), and their events, when they come, are skipped as already sent.
 */
import { LiveEnd, type LiveQueue } from '../../../platform/events/live-queue.ts';
import type { MessageEventPayload } from './chat-events.ts';

/** Reads messages after `after` and before `before` (unbounded when null), in order. */
export type ReadMessages = (after: number, before: number | null, limit: number) => Promise<MessageEventPayload[]>;

const PAGE = 100;

export async function* inPositionOrder(
  queue: LiveQueue<MessageEventPayload>,
  afterPosition: number | null,
  read: ReadMessages,
): AsyncGenerator<MessageEventPayload | LiveEnd, void, undefined> {
  // Without a starting position, the first live event sets it.
  let last = afterPosition;
  if (last !== null) last = yield* stored(queue, read, last, null);
  for await (const item of queue) {
    if (item instanceof LiveEnd) {
      yield item;
      return;
    }
    if (last !== null) {
      if (item.position <= last) continue;
      if (item.position > last + 1) {
        last = yield* stored(queue, read, last, item.position);
        // Ended while catching up: the queue now holds the end, or nothing.
        if (queue.ended) continue;
      }
    }
    yield item;
    last = item.position;
  }
}

/** Yields stored messages after `after` (before `before`), page by page; returns the last position sent. */
async function* stored(
  queue: LiveQueue<MessageEventPayload>,
  read: ReadMessages,
  after: number,
  before: number | null,
): AsyncGenerator<MessageEventPayload, number, undefined> {
  let last = after;
  for (;;) {
    if (queue.ended) return last;
    const page = await read(last, before, PAGE);
    for (const message of page) {
      if (queue.ended) return last;
      yield message;
      last = message.position;
    }
    if (page.length < PAGE) return last;
  }
}
