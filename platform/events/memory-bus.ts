/** The embedded profile's event bus: in-process, same delivery rules as the Redis one. */
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import type { DomainEvent, EventBus, EventHandler } from './bus.ts';

interface Consumer {
  topic: string;
  group: string;
  handler: EventHandler<unknown>;
}

const RETRY_DELAYS_MS = [50, 200, 1000, 5000];

export class MemoryEventBus implements EventBus {
  readonly #consumers = new Set<Consumer>();
  readonly #inflight = new Set<Promise<void>>();
  readonly #logger: Logger | undefined;
  #closed = false;

  constructor(logger?: Logger) {
    this.#logger = logger;
  }

  async publish<P>(topic: string, payload: P): Promise<DomainEvent<P>> {
    const event: DomainEvent<P> = { id: newId(), topic, occurredAt: new Date().toISOString(), payload };
    // One delivery per group: the first consumer registered for a group takes it.
    const seen = new Set<string>();
    for (const c of this.#consumers) {
      if (c.topic !== topic || seen.has(c.group)) continue;
      seen.add(c.group);
      this.#track(this.#deliver(c, event));
    }
    return event;
  }

  async consume<P>(topic: string, group: string, handler: EventHandler<P>): Promise<() => Promise<void>> {
    const consumer: Consumer = { topic, group, handler: handler as EventHandler<unknown> };
    this.#consumers.add(consumer);
    return async () => {
      this.#consumers.delete(consumer);
    };
  }

  /** Resolves once every delivery started so far has finished (used at shutdown and in tests). */
  async drain(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.drain();
    this.#consumers.clear();
  }

  #track(p: Promise<void>): void {
    this.#inflight.add(p);
    void p.finally(() => this.#inflight.delete(p));
  }

  async #deliver(c: Consumer, event: DomainEvent<unknown>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await c.handler(event);
        return;
      } catch (err) {
        const delay = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)] ?? 5000;
        this.#logger?.warn({ err, topic: event.topic, group: c.group, attempt }, 'event handler failed; retrying');
        if (this.#closed || attempt >= 20) return;
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
}
