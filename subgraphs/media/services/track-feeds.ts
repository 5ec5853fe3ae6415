/** The live side of tracks, as subscription sources: listener counts and processing steps. */
import type { EntityManager } from '../../../platform/db/orm.ts';
import { forbidden, notFound, unauthenticated } from '../../../platform/errors.ts';
import { closingWith, LiveEnd, LiveQueue } from '../../../platform/events/live-queue.ts';
import type { PubSubEngine } from '../../../platform/events/pubsub.ts';
import { isUuid } from '../../../platform/ids.ts';
import type { Track } from '../entities/index.ts';
import type { ListenerCountEvent, ListenerCountFeed } from './listener-counts.ts';
import type { TrackEvents, TrackProcessingPayload } from './track-events.ts';
import type { TrackService } from './tracks.ts';

export type LiveSource<T> = AsyncIterableIterator<T | LiveEnd>;

export interface TrackFeedsDeps {
  pubsub: PubSubEngine;
  tracks: TrackService;
  counts: ListenerCountFeed;
  events: TrackEvents;
}

export class TrackFeeds {
  readonly #d: TrackFeedsDeps;

  constructor(deps: TrackFeedsDeps) {
    this.#d = deps;
  }

  /**
   * The count now, then each change. Visible to whoever may see the track; a viewer who
   * no longer may (the track went private, or was deleted) gets FORBIDDEN and the end.
   */
  async listenerCount(em: EntityManager, viewerId: string | null, trackId: string, secretToken: string | null): Promise<LiveSource<ListenerCountEvent>> {
    const track = await this.#d.tracks.find(em, trackId, viewerId, secretToken);
    if (!track) throw notFound('Track', trackId);
    const queue = new LiveQueue<ListenerCountEvent>(this.#d.pubsub);
    let last: number | undefined;
    const send = (event: ListenerCountEvent) => {
      if (event.count === last) return;
      last = event.count;
      queue.push(event);
    };
    queue.onClose(
      this.#d.counts.watch(track.id, (event, current) => {
        if (!current || !this.#d.tracks.canSee(current, viewerId, secretToken)) queue.end(new LiveEnd(forbidden('You can no longer see this track.')));
        else send(event);
      }),
    );
    // Watching first: a change while the count is read is not lost. A poll that answered
    // meanwhile is newer than this read, which is then dropped.
    const now = await this.#d.counts.count(track.id);
    if (last === undefined) send(now);
    return queue;
  }

  /** The state now, then each step; owner only; ends after FAILED, or READY with every rendition made. */
  async trackProcessing(em: EntityManager, viewerId: string | null, trackId: string): Promise<LiveSource<TrackProcessingPayload>> {
    if (!viewerId) throw unauthenticated();
    if (!isUuid(trackId)) throw notFound('Track', trackId);
    const queue = new LiveQueue<TrackProcessingPayload>(this.#d.pubsub);
    try {
      // Listening before reading the state: no step between the two is lost.
      await queue.queueFrom(this.#d.events.trigger('trackProcessing', trackId));
      const track = await this.#d.tracks.find(em, trackId, viewerId);
      if (!track) throw notFound('Track', trackId);
      if (track.ownerId !== viewerId) throw forbidden('Only the owner can follow the processing of a track.');
      return closingWith(queue, steps(queue, stateOf(track)));
    } catch (err) {
      await queue.return();
      throw err;
    }
  }
}

function stateOf(track: Track): TrackProcessingPayload {
  return { trackId: track.id, status: track.status, progress: track.processingProgress ?? null, failureReason: track.failureReason ?? null, renditionsComplete: track.renditionsComplete };
}

/** Processing is over once it failed, or once the track is READY with every rendition made. */
const finished = (s: TrackProcessingPayload): boolean => s.status === 'FAILED' || (s.status === 'READY' && s.renditionsComplete);

const RANK = { UPLOADING: 0, PROCESSING: 1, READY: 2, FAILED: 2 } as const;

/**
 * Whether `next` says something after `last`: a later status, the renditions completed,
 * or more progress. A step queued before the state was read says less, and is dropped.
 */
function advances(next: TrackProcessingPayload, last: TrackProcessingPayload): boolean {
  if (next.status !== last.status) return RANK[next.status] > RANK[last.status] || next.status === 'UPLOADING';
  if (next.renditionsComplete !== last.renditionsComplete) return next.renditionsComplete;
  return (next.progress ?? 0) > (last.progress ?? 0);
}

async function* steps(queue: LiveQueue<TrackProcessingPayload>, now: TrackProcessingPayload): AsyncGenerator<TrackProcessingPayload | LiveEnd, void, undefined> {
  yield now;
  if (finished(now)) return;
  let last = now;
  for await (const step of queue) {
    if (step instanceof LiveEnd) {
      yield step;
      return;
    }
    if (!advances(step, last)) continue;
    yield step;
    last = step;
    if (finished(step)) return;
  }
}
