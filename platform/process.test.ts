import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from './logger.ts';
import { applyHeapGrowth, stopPart } from './process.ts';

describe('applyHeapGrowth', () => {
  it('asks V8 for the growth given, and leaves V8 its own with 0', () => {
    const flags: string[] = [];
    applyHeapGrowth(100, (f) => flags.push(f));
    applyHeapGrowth(0, (f) => flags.push(f));
    expect(flags).toEqual(['--heap-growing-percent=100']);
  });

  it('changes how often a running process collects its old generation', () => {
    // The same allocations in two fresh processes of the Node running these tests: a live set,
    // then objects that outlive young collections and die old. Counted from V8's trace, not timed.
    // With V8's concurrent marking the counts depend on thread timing (2, 2, 6, 2 at 10 against
    // 1, 3, 1, 1 at 300 in four runs each here); on the main thread alone they are the same each
    // time (5 against 2, idle or with both cores busy).
    const script = `
      import { applyHeapGrowth } from ${JSON.stringify(fileURLToPath(new URL('./process.ts', import.meta.url)))};
      applyHeapGrowth(Number(process.argv[1]));
      const live = [];
      for (let i = 0; i < 300_000; i++) live.push({ i, name: 'live ' + i });
      const ring = new Array(100_000);
      for (let k = 0; k < 5_000_000; k++) ring[k % ring.length] = { k, name: 'churn ' + k };
      if (live.length !== 300_000) process.exit(1);`;
    const fullCollections = (percent: number) =>
      execFileSync(process.execPath, ['--trace-gc', '--single-threaded-gc', '--input-type=module', '-e', script, String(percent)], { encoding: 'utf8' })
        .split('\n')
        .filter((line) => line.includes('Mark-Compact')).length;
    const tight = fullCollections(10);
    const loose = fullCollections(300);
    expect(loose).toBeGreaterThan(0);
    expect(tight).toBeGreaterThan(loose);
  });
});

describe('stopPart', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('names a part that does not stop in time and lets the caller go on', async () => {
    vi.useFakeTimers();
    const logger = createLogger('silent');
    const warn = vi.spyOn(logger, 'warn');
    const hanging = stopPart(logger, 'subgraph chat', () => new Promise<void>(() => undefined), 5_000);
    let finished = false;
    void hanging.then(() => (finished = true));
    await vi.advanceTimersByTimeAsync(4_999);
    expect(finished).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await hanging;
    expect(finished).toBe(true);
    expect(warn).toHaveBeenCalledWith({ part: 'subgraph chat', waitedMs: 5_000 }, expect.stringContaining('did not stop in time'));
  });

  it('waits for a part that stops, and fails with a part that fails', async () => {
    const logger = createLogger('silent');
    const warn = vi.spyOn(logger, 'warn');
    const order: string[] = [];
    await stopPart(logger, 'gateway', async () => {
      await Promise.resolve();
      order.push('gateway stopped');
    });
    order.push('next part');
    expect(order).toEqual(['gateway stopped', 'next part']);
    await expect(stopPart(logger, 'platform adapters', () => Promise.reject(new Error('disk gone')))).rejects.toThrow('disk gone');
    expect(warn).not.toHaveBeenCalled();
  });
});
