/**
 * The load generator, in its own process: `node bench/load.ts <json options>` runs
 * autocannon against one URL and prints its summary as JSON. Loopback only.
 */
import autocannon from 'autocannon';

interface LoadOptions {
  url: string;
  body: string;
  headers: Record<string, string>;
  connections: number;
  durationSeconds: number;
  /** Seconds of load first, on the same connections, not counted. */
  warmupSeconds?: number;
}

const opts = JSON.parse(process.argv[2] ?? '{}') as LoadOptions;
const host = new URL(opts.url).hostname;
if (!/^(127\.\d+\.\d+\.\d+|localhost|\[?::1\]?)$/.test(host)) throw new Error(`refusing to load a non-loopback host: ${host}`);
const result = await autocannon({
  url: opts.url,
  method: 'POST',
  body: opts.body,
  headers: { 'content-type': 'application/json', ...opts.headers },
  connections: opts.connections,
  duration: opts.durationSeconds,
  ...(opts.warmupSeconds ? { warmup: { connections: opts.connections, duration: opts.warmupSeconds } } : {}),
});
process.stdout.write(
  JSON.stringify({
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors + result.timeouts + result.non2xx,
    total: result.requests.total,
  }) + '\n',
);
