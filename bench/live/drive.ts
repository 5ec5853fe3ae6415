/**
 * How benchmark R drives one system through one measurement: the system's processes
 * (`Target`), where its clients subscribe and who sends (`Scene`), and phases — set every
 * client to a new phase, publish, wait until everything expected has arrived (or nothing
 * more comes), then read the clients, the publisher and the servers' CPU and peak memory.
 */
import type { ConnSpec, PhaseStats, System } from './clients.ts';
import type { Fleet } from './fleet.ts';
import type { Worker } from './ipc.ts';
import { cpuMeter, infrastructurePids, machineMeter, peakMiB, resetPeak } from './proc.ts';
import type { PublisherApi, PublishResult, Room, Via } from './publisher.ts';

export interface Target {
  system: System;
  /** WebSocket URLs of the serving processes (raw servers or gateways). */
  endpoints: string[];
  /** Raw: the servers; Veza: the gateways (`edge`), and with the subgraphs (`all`). */
  pids: () => { edge: number[]; all: number[] };
  /** How Veza's messages enter it (publisher.ts); raw always PUBLISHes. */
  via: Via;
  /** Where the publisher sends: Redis, or the gateway's GraphQL URL (Veza `send`). */
  publishTo: string;
  prefix: string;
  publisher: Worker<PublisherApi>;
}

export interface Scene {
  rooms: Room[];
  conns: ConnSpec[];
}

export interface PhaseResult {
  publish: PublishResult;
  expected: number;
  stats: PhaseStats;
  /** Deliveries of accepted messages still missing `DRAIN_MS` after the last send. */
  lost: number;
  /** From the first send until the last delivery (or the drain gave up), seconds. */
  seconds: number;
  cpu: { edge: number; all: number };
  peak: { edge: number; all: number };
  /** CPU of PostgreSQL and Redis over the window, % of one core. */
  infraCpu: number;
  /** CPU of everything else on the machine over the window (neither this bench nor PostgreSQL/Redis), % of one core. */
  otherLoad: number;
}

let phases = 0;

/** The sweep's windows: half R1's, whole seconds, 2 s at least. */
export const sweepSeconds = (durationSeconds: number): number => Math.max(2, Math.ceil(durationSeconds / 2));

/** R1's higher rates stop for a system once its P99 passes this (BENCHMARKS.md). */
export const SWEEP_P99_MS = 50;

/** How long deliveries are waited for after the publisher is done: later ones count as lost (a chat message 10 s late is one a user has given up on). */
export const DRAIN_MS = 10_000;

/** A phase number no client has seen yet. */
export const nextPhase = (): number => ++phases;

export interface PhaseOptions {
  rate: number;
  count: number;
  maxInFlight: number;
  record?: boolean;
  /** Give up waiting once nothing new arrived for this long. */
  quietMs?: number;
}

export async function runPhase(target: Target, scene: Scene, fleet: Fleet, opts: PhaseOptions): Promise<PhaseResult> {
  const phase = nextPhase();
  await fleet.phase(phase, opts.record ?? false);
  const { edge, all } = target.pids();
  await resetPeak(all);
  const infra = await infrastructurePids();
  const [cpuEdge, cpuAll, cpuInfra, cpuOwn, machine] = await Promise.all([
    cpuMeter(edge), cpuMeter(all), cpuMeter(infra), cpuMeter([...all, ...fleet.pids, target.publisher.pid, process.pid]), machineMeter(),
  ]);
  const started = performance.now();
  const publish = await target.publisher.request(
    'publish',
    { system: target.system, via: target.via, target: target.publishTo, prefix: target.prefix, phase, rooms: scene.rooms, rate: opts.rate, count: opts.count, maxInFlight: opts.maxInFlight },
    opts.count * 1000 + 180_000,
  );
  const subscribers = new Map<number, number>();
  for (const c of scene.conns) subscribers.set(c.roomIndex, (subscribers.get(c.roomIndex) ?? 0) + 1);
  const wanted = (seq: number) => subscribers.get(scene.rooms[seq % scene.rooms.length]!.index) ?? 0;
  let expected = 0;
  for (const seq of publish.sent) expected += wanted(seq);
  await drain(fleet, expected, opts.quietMs ?? 3_000);
  const seconds = (performance.now() - started) / 1000;
  const [e, a, inf, own, busy] = await Promise.all([cpuEdge.stop(), cpuAll.stop(), cpuInfra.stop(), cpuOwn.stop(), machine.stop()]);
  const peak = { edge: await peakMiB(edge), all: await peakMiB(all) };
  const stats = await fleet.report();
  // Counted per message: a send that timed out on its way may still have gone through, and its deliveries are not the others'.
  let lost = 0;
  for (const seq of publish.sent) lost += Math.max(0, wanted(seq) - (stats.perSeq.get(seq)?.count ?? 0));
  return { publish, expected, stats, lost, seconds, cpu: { edge: e, all: a }, peak, infraCpu: inf, otherLoad: Math.max(0, busy - own - inf) };
}

/** Waits until `expected` deliveries arrived, or none came for `quietMs`; at most `DRAIN_MS`. */
async function drain(fleet: Fleet, expected: number, quietMs: number): Promise<void> {
  const deadline = performance.now() + DRAIN_MS;
  let last = -1;
  let lastChange = performance.now();
  while (performance.now() < deadline) {
    const { received } = await fleet.progress();
    if (received >= expected) return;
    if (received !== last) {
      last = received;
      lastChange = performance.now();
    } else if (performance.now() - lastChange > quietMs) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Veza gives a client no signal that its subscription is live upstream, so readiness is
 * shown the way a user sees it: probe messages, one per room, until every connection still
 * open got one (at most `attempts` rounds).
 */
export async function waitSubscribed(target: Target, scene: Scene, fleet: Fleet, attempts = 20): Promise<{ reached: number; probes: number }> {
  let reached = 0;
  for (let i = 1; i <= attempts; i++) {
    const r = await runPhase(target, scene, fleet, { rate: 0, count: scene.rooms.length, maxInFlight: 16, quietMs: 2_000 });
    reached = r.stats.reached;
    // Every subscription still open has one (a connection that failed, or a subscription
    // the server ended, never will: they are reported as such, not probed for).
    if (reached >= r.stats.open) return { reached, probes: i };
  }
  return { reached, probes: attempts };
}

/**
 * Correctness before timing: two messages per room, sent one after another, must reach
 * exactly the connections of their room, in order, once, intact (and for Veza with the
 * sender as author). Returns what differs, or nothing.
 */
export async function checkDeliveries(target: Target, scene: Scene, fleet: Fleet): Promise<string[]> {
  const r = await runPhase(target, scene, fleet, { rate: 0, count: scene.rooms.length * 2, maxInFlight: 1, record: true });
  const problems: string[] = [];
  if (r.publish.failed) problems.push(`${r.publish.failed} sends failed: ${r.publish.errors.join('; ')}`);
  for (const k of ['duplicates', 'foreign', 'errors', 'authorMismatch'] as const) if (r.stats[k]) problems.push(`${r.stats[k]} ${k}`);
  const bySeqRoom = (seq: number) => scene.rooms[seq % scene.rooms.length]!.index;
  const orders = r.stats.orders ?? [];
  let wrong = 0;
  scene.conns.forEach((c, i) => {
    const want = [...r.publish.sent].filter((seq) => bySeqRoom(seq) === c.roomIndex).join(',');
    if ((orders[i] ?? []).join(',') !== want) wrong++;
  });
  if (wrong) problems.push(`${wrong} of ${scene.conns.length} connections did not get exactly their room's messages in order`);
  return problems;
}
