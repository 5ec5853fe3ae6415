/**
 * The live events media publishes through its outbox: each step of a track's processing,
 * on one trigger per track. Written in the transaction of the change, so a subscriber
 * never hears of a state the database rolled back.
 */
import type { OutboxEvent } from '../../../platform/events/outbox.ts';
import type { TrackStatus } from '../entities/index.ts';

export interface TrackProcessingPayload {
  trackId: string;
  status: TrackStatus;
  /** 0 to 1, while processing and once the worker reports it. */
  progress: number | null;
  failureReason: string | null;
  /** Whether every rendition is made (READY tracks play before, from their first variant). */
  renditionsComplete: boolean;
}

export class TrackEvents {
  readonly #prefix: string;

  /** `prefix` keeps live triggers of deployments sharing one Redis apart. */
  constructor(prefix: string) {
    this.#prefix = prefix;
  }

  trigger(kind: 'trackProcessing', trackId: string): string {
    return `${this.#prefix}media.${kind}.${trackId}`;
  }

  processing(payload: TrackProcessingPayload): OutboxEvent[] {
    return [{ trigger: this.trigger('trackProcessing', payload.trackId), payload }];
  }
}
