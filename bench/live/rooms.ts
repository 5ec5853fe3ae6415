/**
 * R1 chat rooms (BENCHMARKS.md): 1,000 subscribed clients over 100 rooms (10 each),
 * 1,000 messages/s in total spread evenly, each user sending to their own room in turn
 * (through `sendMessage`: 1 message/s each at most, under chat's default flood limit of
 * 10 per 5 s: no limit raised). The clients connect once (readiness probes, then the
 * correctness check); then each measurement is a warm-up and a window at one rate.
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
  /** Every delivery's latency in the window, ms: the rounds' deliveries pooled give the scenario's percentiles (report.ts). */
  latencies: Float64Array;
  /** The publisher's view of a send: PUBLISH (raw) or the mutation's round trip (Veza). */
  sendLatency: Latency;
  cpu: { edge: number; all: number };
  peak: { edge: number; all: number };
  /** PostgreSQL + Redis CPU, and the rest of the machine's load, % of one core (see drive.ts). */
  infraCpu: number;
  otherLoad: number;
}

export interface RoomsFleet {
  fleet: Fleet;
  connected: Connected;
  /** What the correctness check found wrong (nothing, normally). */
  problems: string[];
}

/** Connects the scene's clients, waits until each subscription got a probe, then checks deliveries. */
export async function openRooms(target: Target, scene: Scene): Promise<RoomsFleet> {
  const { fleet, connected } = await Fleet.connect({ system: target.system, endpoints: target.endpoints, conns: scene.conns, processes: 1, concurrency: 100 });
  try {
    const ready = await waitSubscribed(target, scene, fleet);
    const problems = ready.reached === scene.conns.length ? await checkDeliveries(target, scene, fleet) : [`only ${ready.reached} of ${scene.conns.length} subscriptions got a probe`];
    return { fleet, connected, problems };
  } catch (err) {
    await fleet.close();
    throw err;
  }
}

/** One rate on connected clients: a warm-up at that rate, then the measured window. */
export async function measureRate(target: Target, scene: Scene, rooms: RoomsFleet, opts: { rate: number; seconds: number; warmupSeconds: number }): Promise<RoomsResult> {
  const { fleet, connected, problems } = rooms;
  const { rate, seconds } = opts;
  if (opts.warmupSeconds > 0) await runPhase(target, scene, fleet, { rate, count: Math.round(rate * opts.warmupSeconds), maxInFlight: 256 });
  const m = await runPhase(target, scene, fleet, { rate, count: Math.round(rate * seconds), maxInFlight: 256 });
  return {
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
    latencies: m.stats.latencies,
    sendLatency: latencyOf(m.publish.sendMs),
    cpu: m.cpu,
    peak: m.peak,
    infraCpu: m.infraCpu,
    otherLoad: m.otherLoad,
  };
}
