/**
 * The event bus contract, proven on both implementations (Redis Streams on the real
 * Redis, and the in-process bus): every consumer group gets every event, once per group;
 * a handler that throws gets the event again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { DomainEvent, EventBus } from '../../platform/events/bus.ts';
import { MemoryEventBus } from '../../platform/events/memory-bus.ts';
import { RedisEventBus } from '../../platform/events/redis-bus.ts';
import { TEST_REDIS_URL, silentLogger, uniqueName } from '../support/index.ts';

const buses: { bus: EventBus; prefix: string | undefined }[] = [];
afterEach(async () => {
  for (const { bus, prefix } of buses.splice(0)) {
    await bus.close();
    if (prefix) {
      const r = new Redis(TEST_REDIS_URL);
      const keys = await r.keys(`${prefix}*`);
      if (keys.length) await r.del(...keys);
      r.disconnect();
    }
  }
});

const makers: [string, () => EventBus][] = [
  ['memory', () => track(new MemoryEventBus(silentLogger), undefined)],
  [
    'redis',
    () => {
      const prefix = `${uniqueName('veza-test')}:`;
      return track(new RedisEventBus({ url: TEST_REDIS_URL, prefix, logger: silentLogger, blockMs: 100 }), prefix);
    },
  ],
];

function track(bus: EventBus, prefix: string | undefined): EventBus {
  buses.push({ bus, prefix });
  return bus;
}

describe.each(makers)('%s event bus', (_name, make) => {
  it('delivers every event to every group, once per group, in order', async () => {
    const bus = make();
    const search: number[] = [];
    const feed: number[] = [];
    await bus.consume<{ n: number }>('t.created', 'search', async (e) => void search.push(e.payload.n));
    await bus.consume<{ n: number }>('t.created', 'feed', async (e) => void feed.push(e.payload.n));
    for (let n = 1; n <= 20; n++) await bus.publish('t.created', { n });
    await expect.poll(() => search.length).toBe(20);
    await expect.poll(() => feed.length).toBe(20);
    expect(search).toEqual([...Array(20).keys()].map((i) => i + 1));
    expect(feed).toEqual(search);
  });

  it('shares a group between its consumers: each event handled by one of them', async () => {
    const bus = make();
    const seen: string[] = [];
    await bus.consume<{ id: string }>('t.shared', 'workers', async (e) => void seen.push(`a:${e.payload.id}`));
    await bus.consume<{ id: string }>('t.shared', 'workers', async (e) => void seen.push(`b:${e.payload.id}`));
    for (let i = 0; i < 10; i++) await bus.publish('t.shared', { id: String(i) });
    await expect.poll(() => seen.length).toBe(10);
    expect(new Set(seen.map((s) => s.slice(2))).size).toBe(10);
  });

  it('redelivers an event whose handler failed', async () => {
    const bus = make();
    let attempts = 0;
    const handled: DomainEvent<{ v: string }>[] = [];
    await bus.consume<{ v: string }>('t.flaky', 'g', async (e) => {
      attempts++;
      if (attempts < 3) throw new Error('temporary failure');
      handled.push(e);
    });
    const published = await bus.publish('t.flaky', { v: 'x' });
    await expect.poll(() => handled.length, { timeout: 20_000 }).toBe(1);
    expect(attempts).toBe(3);
    expect(handled[0]?.id).toBe(published.id);
  });
});

describe('redis event bus durability', () => {
  it('keeps events published while a consumer group is away', async () => {
    const prefix = `${uniqueName('veza-test')}:`;
    const first = track(new RedisEventBus({ url: TEST_REDIS_URL, prefix, logger: silentLogger, blockMs: 100 }), prefix);
    const got: number[] = [];
    const stop = await first.consume<{ n: number }>('t.durable', 'g', async (e) => void got.push(e.payload.n));
    await first.publish('t.durable', { n: 1 });
    await expect.poll(() => got.length).toBe(1);
    await stop();
    await first.publish('t.durable', { n: 2 });
    await first.publish('t.durable', { n: 3 });
    const second = track(new RedisEventBus({ url: TEST_REDIS_URL, prefix, logger: silentLogger, blockMs: 100 }), undefined);
    await second.consume<{ n: number }>('t.durable', 'g', async (e) => void got.push(e.payload.n));
    await expect.poll(() => got).toEqual([1, 2, 3]);
  });
});
