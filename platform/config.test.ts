import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('configuration', () => {
  it('runs the embedded profile when nothing is set', () => {
    const c = loadConfig({});
    expect(c.profile).toBe('embedded');
    expect(c.ports.gateway).toBe(4000);
    expect(c.dataDir).toBe('.veza');
  });

  it('switches to production adapters with DATABASE_URL, REDIS_URL and S3_ENDPOINT', () => {
    const c = loadConfig({ DATABASE_URL: 'postgresql://db/veza', REDIS_URL: 'redis://r:6379', S3_ENDPOINT: 'https://minio:9000', CHAT_URL: '' });
    expect(c.profile).toBe('production');
    expect(c.s3.endpoint).toBe('https://minio:9000');
    expect(c.subgraphUrls.chat).toBeUndefined();
  });

  it('lets the old generation grow to twice its live size unless told otherwise', () => {
    expect(loadConfig({}).heapGrowthPercent).toBe(100);
    expect(loadConfig({ HEAP_GROWTH_PERCENT: '0' }).heapGrowthPercent).toBe(0);
    expect(() => loadConfig({ HEAP_GROWTH_PERCENT: '1000' })).toThrow(/HEAP_GROWTH_PERCENT/);
  });

  it('names every invalid variable', () => {
    expect(() => loadConfig({ GATEWAY_PORT: 'eighty', DATABASE_URL: 'not a url', GATEWAY_SECRET: 'short' })).toThrow(ConfigError);
    try {
      loadConfig({ GATEWAY_PORT: 'eighty', DATABASE_URL: 'not a url', GATEWAY_SECRET: 'short' });
    } catch (err) {
      expect(String(err)).toMatch(/GATEWAY_PORT/);
      expect(String(err)).toMatch(/DATABASE_URL/);
      expect(String(err)).toMatch(/GATEWAY_SECRET/);
    }
  });
});
