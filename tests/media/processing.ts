/**
 * Following a track's processing as a client does: `trackProcessing` over graphql-ws
 * through the gateway, every event kept in order, until the subscription completes.
 */
import { print } from 'graphql';
import { LiveClient } from '../support/live-client.ts';
import { LiveTrackProcessingDocument, type LiveTrackProcessingSubscription, type TrackStatus } from '../generated/graphql.ts';

export type ProcessingEvent = LiveTrackProcessingSubscription['trackProcessing'];

const ID = 'processing';

export class ProcessingWatch {
  readonly #client: LiveClient;

  private constructor(client: LiveClient) {
    this.#client = client;
  }

  /** Connects to the gateway at `url` as the owner and subscribes to the track's processing. */
  static async start(url: string, token: string, trackId: string): Promise<ProcessingWatch> {
    const client = await LiveClient.connect(url, token);
    client.subscribe(ID, print(LiveTrackProcessingDocument), { trackId });
    return new ProcessingWatch(client);
  }

  /** The events received so far, in order; fails on an error result. */
  get events(): ProcessingEvent[] {
    return this.#client.nexts<LiveTrackProcessingSubscription>(ID).map((n) => {
      if (n.errors?.length || !n.data) throw new Error(`trackProcessing failed: ${JSON.stringify(n.errors)}`);
      return n.data.trackProcessing;
    });
  }

  /** Resolves once `check` holds for the events received (re-checked on each message). */
  async until(check: (events: ProcessingEvent[]) => boolean, timeoutMs = 150_000): Promise<ProcessingEvent[]> {
    return this.#client.until(() => (check(this.events) ? this.events : undefined), timeoutMs);
  }

  /** Waits for the subscription to complete (after READY or FAILED) and returns every event. */
  async ended(timeoutMs = 150_000): Promise<ProcessingEvent[]> {
    const end = await this.#client.waitFor((m) => m.id === ID && (m.type === 'complete' || m.type === 'error'), timeoutMs);
    if (end.type === 'error') throw new Error(`trackProcessing refused: ${JSON.stringify(end.payload)}`);
    return this.events;
  }

  close(): void {
    this.#client.close();
  }
}

const RANK: Record<TrackStatus, number> = { UPLOADING: 0, PROCESSING: 1, READY: 2, FAILED: 2 };

/** The statuses seen, each once, in the order first seen. */
export const statusesOf = (events: ProcessingEvent[]): TrackStatus[] => events.map((e) => e.status).filter((s, i, all) => s !== all[i - 1]);

/** Whether the statuses only ever move forward (UPLOADING → PROCESSING → READY or FAILED) and progress never goes back. */
export function inOrder(events: ProcessingEvent[]): boolean {
  const statuses = statusesOf(events);
  const forward = statuses.every((s, i) => i === 0 || RANK[s] > RANK[statuses[i - 1]!]);
  const progress = events.map((e) => e.progress ?? 0);
  return forward && progress.every((p, i) => i === 0 || p >= progress[i - 1]!);
}
