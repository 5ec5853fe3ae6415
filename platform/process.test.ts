import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from './logger.ts';
import { stopPart } from './process.ts';

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
