/**
 * R1 chat rooms (BENCHMARKS.md): 1,000 subscribed clients over 100 rooms (10 each),
 * 1,000 messages/s in total spread evenly, each user sending to their own room in turn
 * (1 message/s each, under chat's default flood limit of 10 per 5 s: no limit raised).
 * Readiness probes, the correctness check, then per rate a warm-up and the measured window.
 */
import { checkDeliveries, runPhase, waitSubscribed, type Scene, type Target } from './drive.ts';
import { Fleet, type Connected } from './fleet.ts';
import { latencyOf, type Latency } from './stats.ts';

export interface RoomsResult {
  connected: Connected;
  problems: string[];
  askedRate: number;
  /** Messages the system accepted per second over the window. */
  achievedRate: number;
  sent: number;
  failedSends: number;
  /** Messages the window ended before the system took them. */
  unsent: number;
  sendErrors: string[];
  expected: number;
  delivered: number;
  lost: number;
  duplicates: number;
  latency: Latency;
  /** The publisher's view of a send: PUBLISH (raw) or the mutation's round trip (Veza). */
  sendLatency: Latency;
  cpu: { edge: number; all: number };
  peak: { edge: number; all: number };
  /** PostgreSQL + Redis CPU, and the rest of the machine's load, % of one core (see drive.ts). */
  infraCpu: number;
  otherLoad: number;
}

/**
 * Measures each rate in turn on the same connections, each after a warm-up at that rate;
 * the lower rates first, so that a rate the system cannot take leaves no backlog in them.
 */
export async function measureRooms(target: Target, scene: Scene, opts: { rates: { rate: number; seconds: number }[]; warmupSeconds: number }): Promise<RoomsResult[]> {
  const { fleet, connected } = await Fleet.connect({ system: target.system, endpoints: target.endpoints, conns: scene.conns, processes: 1, concurrency: 100 });
  try {
    const ready = await waitSubscribed(target, scene, fleet);
    const problems = ready.reached === scene.conns.length ? await checkDeliveries(target, scene, fleet) : [`only ${ready.reached} of ${scene.conns.length} subscriptions got a probe`];
    const results: RoomsResult[] = [];
    for (const { rate, seconds } of [...opts.rates].sort((a, b) => a.rate - b.rate)) {
      await runPhase(target, scene, fleet, { rate, count: Math.round(rate * opts.warmupSeconds), maxInFlight: 256 });
      const m = await runPhase(target, scene, fleet, { rate, count: Math.round(rate * seconds), maxInFlight: 256 });
      results.push({
        connected,
        problems,
        askedRate: rate,
        achievedRate: m.publish.sent.length / m.publish.seconds,
        sent: m.publish.sent.length,
        failedSends: m.publish.failed,
        unsent: m.publish.unsent,
        sendErrors: m.publish.errors,
        expected: m.expected,
        delivered: m.stats.received,
        lost: m.lost,
        duplicates: m.stats.duplicates,
        latency: latencyOf(m.stats.latencies),
        sendLatency: latencyOf(m.publish.sendMs),
        cpu: m.cpu,
        peak: m.peak,
        infraCpu: m.infraCpu,
        otherLoad: m.otherLoad,
      });
    }
    return results;
  } finally {
    await fleet.close();
  }
}
