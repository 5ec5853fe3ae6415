/**
 * The load generator, in its own process (forked once by benchmark G and driven over IPC,
 * see live/ipc.ts): each `run` request keeps `connections` requests in flight against one
 * URL with autocannon, on fresh connections, and answers with what it measured. Loopback only.
 *
 * The measured window is steady state: it opens `warmupSeconds` after the first answer
 * (so a gateway that takes seconds per request is not measured while its pipeline is
 * still filling — with a fresh run per measurement, the first answers of a 3 s gateway
 * come 3 s in) and lasts `durationSeconds`, or longer until it holds an answer per
 * connection (15 s at most, or `durationSeconds` if longer). Requests per second, latencies and errors are
 * of the answers that arrived inside it. Bounded: the run stops after `maxSeconds` whatever happens.
 *
 * Requests per second is `connections ÷ mean latency` of those answers — Little's law for
 * a closed loop, where each connection sends its next request as soon as it has the
 * answer — rather than the answers counted in the window: a gateway that answers its 50
 * connections in waves (plain Apollo on G1: a wave every ~2.8 s) gives one or two waves per
 * window, and a count that is off by a whole wave. Both are answered (`counted` is the
 * count ÷ window), so a reader can check they agree where answers come steadily.
 */
import autocannon from 'autocannon';
import { serve } from './live/ipc.ts';

export interface LoadOptions {
  url: string;
  body: string;
  headers: Record<string, string>;
  connections: number;
  durationSeconds: number;
  /** Seconds after the first answer before the window opens. */
  warmupSeconds?: number;
}

/** Answers per connection a window holds at least (see `measure`). */
const MIN_ANSWERS_PER_CONNECTION = 1;
/** The longest a window lasts, seconds, unless `durationSeconds` asks for more. */
const MAX_WINDOW_SECONDS = 15;

export interface LoadResult {
  /** Connections ÷ mean latency of the window's answers (see above). */
  requestsPerSecond: number;
  /** Answers counted in the window ÷ its length. */
  counted: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  total: number;
}

export type LoadApi = { run: { req: LoadOptions; res: LoadResult } };

async function measure(opts: LoadOptions): Promise<LoadResult> {
  const host = new URL(opts.url).hostname;
  if (!/^(127\.\d+\.\d+\.\d+|localhost|\[?::1\]?)$/.test(host)) throw new Error(`refusing to load a non-loopback host: ${host}`);
  const warmupMs = (opts.warmupSeconds ?? 0) * 1000;
  const windowMs = opts.durationSeconds * 1000;
  // The longest a window may last: MAX_WINDOW_SECONDS, or the asked length if that is longer (BENCH_DURATION=20).
  const longestMs = Math.max(MAX_WINDOW_SECONDS * 1000, windowMs);
  // Time enough for a slow first answer (autocannon's own timeout is 10 s), the warm-up and the longest window.
  const maxSeconds = 12 + (opts.warmupSeconds ?? 0) + longestMs / 1000;

  let windowStart = Number.POSITIVE_INFINITY;
  let windowEnd = Number.POSITIVE_INFINITY;
  const latencies: number[] = [];
  let errors = 0;
  // The window closes once it has lasted `durationSeconds` and holds at least
  // MIN_ANSWERS_PER_CONNECTION answers per connection (a gateway taking seconds per request
  // answers its connections in waves), and after `longestMs` whatever it holds.
  const enough = MIN_ANSWERS_PER_CONNECTION * opts.connections;

  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));
  // The callback form returns the running instance (its events, stop()).
  const instance = autocannon(
    {
      url: opts.url,
      method: 'POST',
      body: opts.body,
      headers: { 'content-type': 'application/json', ...opts.headers },
      connections: opts.connections,
      duration: maxSeconds,
      // autocannon notices stop() only at its next sample (1 s by default), its connections
      // loading the gateway until then: 50 ms ends a run soon after its window closes.
      sampleInt: 50,
    },
    () => finished(),
  );
  const close = (t: number) => {
    if (windowEnd !== Number.POSITIVE_INFINITY) return;
    windowEnd = t;
    instance.stop();
  };
  const inWindow = (t: number) => t >= windowStart && t < windowEnd;
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    const t = performance.now();
    if (windowStart === Number.POSITIVE_INFINITY) {
      windowStart = t + warmupMs;
      setTimeout(() => close(performance.now()), warmupMs + longestMs).unref();
    }
    if (!inWindow(t)) return;
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    else errors++;
    if (t - windowStart >= windowMs && latencies.length + errors >= enough) close(t);
  });
  instance.on('reqError', () => {
    if (inWindow(performance.now())) errors++;
  });
  await done;

  const sorted = Float64Array.from(latencies).sort();
  const at = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]! : Number.NaN);
  const measuredMs = Math.min(windowEnd, performance.now()) - windowStart;
  const meanMs = latencies.reduce((sum, l) => sum + l, 0) / latencies.length;
  return {
    requestsPerSecond: latencies.length ? opts.connections / (meanMs / 1000) : 0,
    counted: Number.isFinite(measuredMs) && measuredMs > 0 ? latencies.length / (measuredMs / 1000) : 0,
    p50: at(0.5),
    p99: at(0.99),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
    errors,
    total: latencies.length,
  };
}

// Only when forked as the load process (the types above are also imported by the bench).
if (process.send) serve<LoadApi>({ run: measure });
