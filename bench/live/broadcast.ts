/**
 * R2 broadcast (BENCHMARKS.md): 10,000 subscribed clients on one channel; one message per
 * second; per message, the time until the last client has it; per delivery, P99; lost
 * deliveries. Runs on clients already connected and probed (R3's at N = 10,000, idle.ts).
 */
import { runPhase, type Scene, type Target } from './drive.ts';
import type { Fleet, Connected } from './fleet.ts';
import { latencyOf, spread, type Latency } from './stats.ts';

export interface BroadcastResult {
  connected: Connected;
  problems: string[];
  messages: number;
  expected: number;
  delivered: number;
  lost: number;
  duplicates: number;
  /** Per message: the latest arrival, ms after sending. */
  toLast: { median: number; max: number };
  /** Per message, the latest arrival, ms after sending (pooled over rounds in report.ts). */
  lastPerMessage: number[];
  latency: Latency;
  /** Every delivery's latency, ms (pooled over rounds in report.ts). */
  latencies: Float64Array;
  cpu: { edge: number; all: number };
  peak: { edge: number; all: number };
  /** PostgreSQL + Redis CPU, and the rest of the machine's load, % of one core (see drive.ts). */
  infraCpu: number;
  otherLoad: number;
}

export async function measureBroadcast(target: Target, scene: Scene, fleet: Fleet, connected: Connected, opts: { seconds: number }): Promise<BroadcastResult> {
  await runPhase(target, scene, fleet, { rate: 1, count: 2, maxInFlight: 4 });
  const m = await runPhase(target, scene, fleet, { rate: 1, count: opts.seconds, maxInFlight: 4 });
  const lastPerMessage = [...m.stats.perSeq.values()].map((s) => s.last);
  const last = spread(lastPerMessage);
  return {
    connected,
    problems: m.publish.failed ? [`${m.publish.failed} sends failed: ${m.publish.errors.join('; ')}`] : [],
    messages: m.publish.sent.length,
    expected: m.expected,
    delivered: m.stats.received,
    lost: m.lost,
    duplicates: m.stats.duplicates,
    toLast: { median: last.median, max: last.max },
    lastPerMessage,
    latency: latencyOf(m.stats.latencies),
    latencies: m.stats.latencies,
    cpu: m.cpu,
    peak: m.peak,
    infraCpu: m.infraCpu,
    otherLoad: m.otherLoad,
  };
}
