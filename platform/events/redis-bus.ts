/**
 * Production event bus on Redis Streams: one stream per topic, one consumer group per
 * consuming service. Unacknowledged events are re-read by the group, so a consumer that
 * crashes mid-event gets it again when it comes back.
 */
import { Redis } from 'ioredis';
import { hostname } from 'node:os';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import type { DomainEvent, EventBus, EventHandler } from './bus.ts';

export interface RedisEventBusOptions {
  url: string;
  /** Key prefix shared with the rest of the deployment (`veza:`). */
  prefix: string;
  logger?: Logger;
  /** Approximate number of events each stream keeps. */
  maxLen?: number;
  /** How long a blocked read waits before checking for shutdown. */
  blockMs?: number;
}

export class RedisEventBus implements EventBus {
  readonly #publisher: Redis;
  readonly #opts: Required<Omit<RedisEventBusOptions, 'logger'>> & { logger: Logger | undefined };
  readonly #loops = new Set<{ stop: () => Promise<void> }>();
  readonly #consumerName = `${hostname()}-${process.pid}-${newId().slice(-8)}`;

  constructor(opts: RedisEventBusOptions) {
    this.#opts = { maxLen: 100_000, blockMs: 2000, ...opts, logger: opts.logger };
    this.#publisher = new Redis(opts.url, { lazyConnect: false, maxRetriesPerRequest: 3 });
  }

  #streamKey(topic: string): string {
    return `${this.#opts.prefix}events:${topic}`;
  }

  async publish<P>(topic: string, payload: P): Promise<DomainEvent<P>> {
    const event: DomainEvent<P> = { id: newId(), topic, occurredAt: new Date().toISOString(), payload };
    await this.#publisher.xadd(
      this.#streamKey(topic),
      'MAXLEN',
      '~',
      String(this.#opts.maxLen),
      '*',
      'event',
      JSON.stringify(event),
    );
    return event;
  }

  async consume<P>(topic: string, group: string, handler: EventHandler<P>): Promise<() => Promise<void>> {
    const key = this.#streamKey(topic);
    const reader = this.#publisher.duplicate();
    try {
      await reader.xgroup('CREATE', key, group, '0', 'MKSTREAM');
    } catch (err) {
      if (!String(err).includes('BUSYGROUP')) throw err;
    }
    let running = true;
    const loop = (async () => {
      // First our own unacknowledged events (after a crash), then new ones.
      let cursor = '0';
      while (running) {
        try {
          const res = (await reader.xreadgroup(
            'GROUP', group, this.#consumerName,
            'COUNT', '100',
            'BLOCK', String(this.#opts.blockMs),
            'STREAMS', key, cursor,
          )) as [string, [string, string[]][]][] | null;
          const entries = res?.[0]?.[1] ?? [];
          if (cursor === '0' && entries.length === 0) cursor = '>';
          for (const [entryId, fields] of entries) {
            const raw = fields[1];
            if (raw === undefined) {
              await reader.xack(key, group, entryId);
              continue;
            }
            try {
              await handler(JSON.parse(raw) as DomainEvent<P>);
              await reader.xack(key, group, entryId);
            } catch (err) {
              this.#opts.logger?.warn({ err, topic, group }, 'event handler failed; will retry');
              cursor = '0';
              await new Promise((r) => setTimeout(r, 500));
              break;
            }
          }
        } catch (err) {
          if (!running) break;
          this.#opts.logger?.error({ err, topic, group }, 'event stream read failed');
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    })();
    const handle = {
      stop: async () => {
        running = false;
        reader.disconnect();
        await loop;
      },
    };
    this.#loops.add(handle);
    return async () => {
      this.#loops.delete(handle);
      await handle.stop();
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.#loops].map((l) => l.stop()));
    this.#loops.clear();
    await this.#publisher.quit();
  }
}
