/**
 * The source of one live subscription: events from pubsub triggers, queued until the
 * subscriber pulls them.
 *
 * Three properties the subscriptions rely on:
 * - `listen` resolves once the trigger is subscribed, so whatever is published after that
 *   is queued (a subscription can listen first and read the database second without a gap);
 * - `end` finishes the subscription with an error the client sees as one last result,
 *   dropping whatever was still queued (after a viewer lost access, nothing more is sent);
 * - `return` (the client went away) unsubscribes at once, even while a `next` is waiting,
 *   so an idle subscription never outlives its client.
 */
import type { GraphQLError } from 'graphql';
import { internalError } from '../errors.ts';
import type { PubSubEngine } from './pubsub.ts';

/** The last item of a subscription that ends with an error (the viewer lost access...). */
export class LiveEnd {
  readonly error: GraphQLError;

  constructor(error: GraphQLError) {
    this.error = error;
  }
}

/** The event, or throws the error of a `LiveEnd` (subscription `resolve` functions call this). */
export function eventOf<T>(item: T | LiveEnd): T {
  if (item instanceof LiveEnd) throw item.error;
  return item;
}

/**
 * Events a subscriber may fall behind by before its subscription ends: a consumer that
 * stopped reading must not hold memory forever. Far above any burst a live client sees.
 */
export const MAX_QUEUED_EVENTS = 10_000;

export class LiveQueue<T> implements AsyncIterableIterator<T | LiveEnd> {
  readonly #pubsub: PubSubEngine;
  readonly #limit: number;
  readonly #buffer: (T | LiveEnd)[] = [];
  readonly #waiting: ((result: IteratorResult<T | LiveEnd, undefined>) => void)[] = [];
  readonly #subscriptions: Promise<number | undefined>[] = [];
  readonly #cleanups: (() => void)[] = [];
  #ended = false;
  #closed = false;

  constructor(pubsub: PubSubEngine, opts: { limit?: number } = {}) {
    this.#pubsub = pubsub;
    this.#limit = opts.limit ?? MAX_QUEUED_EVENTS;
  }

  /** Calls `onEvent` with every payload published to `trigger` from now on; resolves once subscribed. */
  async listen<P>(trigger: string, onEvent: (payload: P) => void): Promise<void> {
    if (this.#closed) return;
    const id = this.#pubsub.subscribe(trigger, (payload: P) => {
      if (!this.#ended) onEvent(payload);
    }, {});
    // Kept even if it fails, so that `return` can unsubscribe whatever did succeed.
    this.#subscriptions.push(id.catch(() => undefined));
    await id;
  }

  /** Queues every payload published to `trigger` (that `keep` accepts) as an event. */
  queueFrom(trigger: string, keep: (payload: T) => boolean = () => true): Promise<void> {
    return this.listen<T>(trigger, (payload) => {
      if (keep(payload)) this.push(payload);
    });
  }

  /** Runs `cleanup` when the subscription ends, however it ends. */
  onClose(cleanup: () => void): void {
    if (this.#closed) cleanup();
    else this.#cleanups.push(cleanup);
  }

  /** Whether the subscription has been ended (by `end` or by its client). */
  get ended(): boolean {
    return this.#ended || this.#closed;
  }

  push(event: T): void {
    if (this.ended) return;
    const waiter = this.#waiting.shift();
    if (waiter) return waiter({ value: event, done: false });
    if (this.#buffer.length >= this.#limit) {
      this.end(new LiveEnd(internalError('This subscription fell too far behind its events; subscribe again.')));
      return;
    }
    this.#buffer.push(event);
  }

  /** Ends the subscription with `last` as its final item; events still queued are dropped. */
  end(last: LiveEnd): void {
    if (this.ended) return;
    this.#ended = true;
    this.#buffer.length = 0;
    this.#unsubscribe();
    const waiter = this.#waiting.shift();
    if (waiter) waiter({ value: last, done: false });
    else this.#buffer.push(last);
  }

  next(): Promise<IteratorResult<T | LiveEnd, undefined>> {
    if (this.#buffer.length > 0) return Promise.resolve({ value: this.#buffer.shift() as T | LiveEnd, done: false });
    if (this.ended) {
      this.#close();
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  async return(): Promise<IteratorResult<T | LiveEnd, undefined>> {
    this.#close();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#buffer.length = 0;
    this.#unsubscribe();
    for (const waiter of this.#waiting.splice(0)) waiter({ value: undefined, done: true });
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
  }

  #unsubscribe(): void {
    // Only after each subscribe has resolved: graphql-redis-subscriptions cannot drop a pending one.
    for (const id of this.#subscriptions.splice(0)) {
      void id.then((n) => {
        if (n !== undefined) this.#pubsub.unsubscribe(n);
      });
    }
  }
}

/**
 * A generator reading `queue`, as a subscription source whose `return` takes effect at
 * once: an async generator waiting inside (for the next live event) only handles `return`
 * when it next yields, so the queue is closed first, which releases it.
 */
export function closingWith<T>(queue: { return(): Promise<unknown> }, source: AsyncGenerator<T, void, undefined>): AsyncIterableIterator<T> {
  return {
    // However the generator ends (done, or a failed read), the queue's triggers are released.
    next: async () => {
      try {
        const result = await source.next();
        if (result.done) await queue.return();
        return result;
      } catch (err) {
        await queue.return();
        throw err;
      }
    },
    return: async () => {
      await queue.return();
      return source.return(undefined);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
