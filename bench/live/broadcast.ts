/**
 * R2 broadcast (BENCHMARKS.md): 10,000 subscribed clients, each its own user, on one
 * channel; one message per second; per message, the time until the last client has it;
 * per delivery, P99; lost deliveries.
 */
import { runPhase, waitSubscribed, type Scene, type Target } from './drive.ts';
import { Fleet, type Connected } from './fleet.ts';
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
  latency: Latency;
  cpu: { edge: number; all: number };
  peak: { edge: number; all: number };
  /** PostgreSQL + Redis CPU, and the rest of the machine's load, % of one core (see drive.ts). */
  infraCpu: number;
  otherLoad: number;
}

export async function measureBroadcast(target: Target, scene: Scene, opts: { seconds: number }): Promise<BroadcastResult> {
  const { fleet, connected } = await Fleet.connect({ system: target.system, endpoints: target.endpoints, conns: scene.conns, processes: 2, concurrency: 100 });
  try {
    const ready = await waitSubscribed(target, scene, fleet);
    const problems = ready.reached === scene.conns.length ? [] : [`only ${ready.reached} of ${scene.conns.length} subscriptions got a probe`];
    await runPhase(target, scene, fleet, { rate: 1, count: 2, maxInFlight: 4 });
    const m = await runPhase(target, scene, fleet, { rate: 1, count: opts.seconds, maxInFlight: 4 });
    const last = spread([...m.stats.perSeq.values()].map((s) => s.last));
    return {
      connected,
      problems: [...problems, ...(m.publish.failed ? [`${m.publish.failed} sends failed: ${m.publish.errors.join('; ')}`] : [])],
      messages: m.publish.sent.length,
      expected: m.expected,
      delivered: m.stats.received,
      lost: m.lost,
      duplicates: m.stats.duplicates,
      toLast: { median: last.median, max: last.max },
      latency: latencyOf(m.stats.latencies),
      cpu: m.cpu,
      peak: m.peak,
      infraCpu: m.infraCpu,
      otherLoad: m.otherLoad,
    };
  } finally {
    await fleet.close();
  }
}
