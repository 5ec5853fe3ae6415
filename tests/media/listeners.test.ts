/**
 * Live listener counts, on Redis and in memory: 1,000 listeners heartbeating count as
 * 1,000; when 300 go silent the count reaches 700 once their presence runs out.
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryListenerCounter, RedisListenerCounter, type ListenerCounter } from '../../subgraphs/media/services/listeners.ts';
import { TEST_REDIS_URL, uniqueName } from '../support/index.ts';

const PRESENCE_SECONDS = 2;
const prefix = `${uniqueName('veza-test')}:`;
const counters: ListenerCounter[] = [];
afterAll(async () => {
  for (const c of counters) await c.close();
  const r = new Redis(TEST_REDIS_URL);
  const keys = await r.keys(`${prefix}*`);
  if (keys.length) await r.del(...keys);
  r.disconnect();
});

describe.each([
  ['redis', () => new RedisListenerCounter(new Redis(TEST_REDIS_URL), prefix, PRESENCE_SECONDS)],
  ['memory', () => new MemoryListenerCounter(PRESENCE_SECONDS)],
] as const)('%s listener counter', (_name, make) => {
  it('counts 1,000 live listeners, then 700 after 300 go silent', async () => {
    const counter = make();
    counters.push(counter);
    const track = uniqueName('track');
    const sessions = Array.from({ length: 1000 }, (_, i) => `session-${i}`);
    await Promise.all(sessions.map((s) => counter.touch(track, s)));
    expect(await counter.count(track)).toBe(1000);
    // 700 keep heartbeating; 300 stop. Within the presence timeout the count falls to 700.
    const staying = sessions.slice(300);
    let keepGoing = true;
    const heartbeats = (async () => {
      while (keepGoing) {
        await Promise.all(staying.map((s) => counter.touch(track, s)));
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    await expect.poll(() => counter.count(track), { timeout: PRESENCE_SECONDS * 1000 * 3, interval: 100 }).toBe(700);
    keepGoing = false;
    await heartbeats;
  });

  it('removes a stopped session at once', async () => {
    const counter = make();
    counters.push(counter);
    const track = uniqueName('track');
    await counter.touch(track, 'a');
    await counter.touch(track, 'b');
    await counter.remove(track, 'a');
    expect(await counter.count(track)).toBe(1);
  });
});
