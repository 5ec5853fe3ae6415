/**
 * R3 idle connections (BENCHMARKS.md): N subscribed connections; the servers' resident
 * memory per connection once all are connected and probed; after `holdSeconds`, how many
 * are still open; then messages fanned out to all N (time until the last has it). The
 * connections are spread over the system's serving processes (`target.endpoints`) and
 * over client processes of at most 15,000 each (a process may hold 20,000 files).
 * Connecting, the hold's end and each fan-out are apart, so that the holds of both systems
 * (and R2's rounds, on the same 10,000) overlap instead of adding up, and the systems'
 * fan-outs take turns on one machine state.
 */
import { runPhase, waitSubscribed, type Scene, type Target } from './drive.ts';
import { Fleet, type Connected } from './fleet.ts';
import { totalRssKiB } from './proc.ts';
import { collectGarbage } from './stack.ts';
import { spread } from './stats.ts';

export interface IdleResult {
  n: number;
  servers: number;
  connected: Connected;
  /** Subscriptions that got a readiness probe, after how many probes and seconds. */
  ready: number;
  probes: number;
  readySeconds: number;
  /** How long they had been open and probed when counted. */
  heldSeconds: number;
  openAfterHold: number;
  /** Why subscriptions that had opened ended before the fan-out, with counts. */
  endings: [string, number][];
  /**
   * Resident memory the serving processes (started for R3) added per connection, KiB: the
   * lowest of the readings once all were connected and probed, then every 2 s, and last at
   * the hold's end just after a full garbage collection in each (garbage not yet collected
   * inflates a reading, and an idle process collects nothing by itself; the lowest is
   * nearest what the connections keep). The reading before connecting also follows a
   * collection.
   */
  perConnectionKiB: number;
  /** How many readings that lowest was taken from. */
  rssReadings: number;
  /**
   * How much the other server processes (Veza's subgraphs, running since the start) grew
   * meanwhile, MiB: not per connection — they hold a guard per user and gateway, and their
   * heap also shrinks when the collector runs.
   */
  othersDeltaMiB: number;
  /** Each fanned-out message's latest arrival (ms after sending), in the order sent. */
  fanOutsMs: number[];
  /** Their median, lowest, highest. */
  toLast: { median: number; min: number; max: number };
  /** The fanned-out messages' deliveries and losses, in all. */
  delivered: number;
  lost: number;
}

const PER_CLIENT_PROCESS = 15_000;
/**
 * Messages fanned out to all N after the holds, per system, the systems taking turns (one
 * message each, in turn), each once the previous one reached everyone (or went quiet):
 * sixteen up to 20,000 connections (a fan-out there takes a fraction of a second; with
 * eight, the ratio of the medians moved by 27 % between two runs on one commit), eight
 * beyond (at 100,000, 1.3–2.2 s each; with four, the ratio moved by 17 % between two runs
 * on one commit).
 */
export const fanOutsAt = (n: number): number => (n <= 20_000 ? 16 : 8);
/**
 * Before the fan-outs, the machine settles under `percent` % of one core (`maxSeconds` at
 * most), so that they do not share it with what ran before (R2, R4, the holds' collections).
 */
export const FAN_OUT_SETTLE = { percent: 30, maxSeconds: 5 };
/** How often the serving processes' memory is read during the hold. */
const RSS_EVERY_MS = 2_000;

/** Connected and probed idle clients, with the serving processes' memory before and after. */
export interface IdleFleet {
  target: Target;
  scene: Scene;
  fleet: Fleet;
  connected: Connected;
  ready: { reached: number; probes: number; seconds: number };
  rss: { before: { edge: number; all: number }; after: { edge: number; all: number } };
  /** When every connection was open and probed (performance.now()). */
  readyAt: number;
  /** Reads the serving processes' memory every RSS_EVERY_MS from then on. */
  rssSampler: { stop: () => Promise<{ lowest: number; readings: number }> };
}

/** Reads the processes' total RSS every RSS_EVERY_MS and keeps the lowest (`first` counts as one reading). */
function sampleRss(pids: number[], first: number): IdleFleet['rssSampler'] {
  let lowest = first;
  let readings = 1;
  let reading: Promise<void> | undefined;
  const timer = setInterval(() => {
    reading ??= totalRssKiB(pids)
      .then((kib) => {
        lowest = Math.min(lowest, kib);
        readings++;
      })
      .catch(() => undefined)
      .finally(() => (reading = undefined));
  }, RSS_EVERY_MS);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await reading;
      return { lowest, readings };
    },
  };
}

/** Connects N idle subscriptions, probes each once, and reads the servers' memory before and after. */
export async function connectIdle(target: Target, scene: Scene): Promise<IdleFleet> {
  const { edge, all } = target.pids();
  await collectGarbage(edge, 'memory');
  const before = { edge: await totalRssKiB(edge), all: await totalRssKiB(all) };
  const processes = Math.ceil(scene.conns.length / PER_CLIENT_PROCESS);
  const { fleet, connected } = await Fleet.connect({ system: target.system, endpoints: target.endpoints, conns: scene.conns, processes, concurrency: 64 });
  try {
    const probing = performance.now();
    const ready = await waitSubscribed(target, scene, fleet, 10);
    const readyAt = performance.now();
    const after = { edge: await totalRssKiB(edge), all: await totalRssKiB(all) };
    return { target, scene, fleet, connected, ready: { ...ready, seconds: (readyAt - probing) / 1000 }, rss: { before, after }, readyAt, rssSampler: sampleRss(edge, after.edge) };
  } catch (err) {
    await fleet.close();
    throw err;
  }
}

/** What a fleet's hold ended with: memory, and the connections still open. */
export interface HoldEnd {
  perConnectionKiB: number;
  rssReadings: number;
  othersDeltaMiB: number;
  heldSeconds: number;
  openAfterHold: number;
  endings: [string, number][];
}

/**
 * Once the fleet's serving processes have run `holdSeconds` since it was ready (other
 * measurements may have run meanwhile; `stoppedMsSince(readyAt)`: how long the processes
 * were stopped since, while the other system was measured, which does not count): the
 * serving processes' memory (the lowest reading, the last right after a full collection)
 * and how many connections are still open.
 */
export async function endHold(f: IdleFleet, holdSeconds: number, stoppedMsSince: (since: number) => number): Promise<HoldEnd> {
  const wait = f.readyAt + stoppedMsSince(f.readyAt) + holdSeconds * 1000 - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const sampled = await f.rssSampler.stop();
  const edge = f.target.pids().edge;
  await collectGarbage(edge, 'memory');
  const lowest = Math.min(sampled.lowest, await totalRssKiB(edge));
  const { open, endings } = await f.fleet.progress();
  return {
    perConnectionKiB: (lowest - f.rss.before.edge) / f.scene.conns.length,
    rssReadings: sampled.readings + 1,
    othersDeltaMiB: (f.rss.after.all - f.rss.after.edge - (f.rss.before.all - f.rss.before.edge)) / 1024,
    heldSeconds: (performance.now() - f.readyAt - stoppedMsSince(f.readyAt)) / 1000,
    openAfterHold: open,
    endings,
  };
}

/** One message fanned out to all of the fleet: the time until the last connection had it (ms), deliveries and losses. */
export interface FanOut {
  toLastMs: number;
  delivered: number;
  lost: number;
}

/** Sends one message to all N and waits until everyone has it (or it went quiet). */
export async function fanOut(f: IdleFleet): Promise<FanOut> {
  const m = await runPhase(f.target, f.scene, f.fleet, { rate: 0, count: 1, maxInFlight: 1, quietMs: 5_000 });
  return {
    toLastMs: m.stats.perSeq.size ? Math.max(...[...m.stats.perSeq.values()].map((s) => s.last)) : Number.NaN,
    delivered: m.stats.received,
    lost: m.lost,
  };
}

/** The fleet's result, from its hold's end and its fan-outs. */
export function idleResult(f: IdleFleet, hold: HoldEnd, fanOuts: FanOut[]): IdleResult {
  return {
    n: f.scene.conns.length,
    servers: f.target.endpoints.length,
    connected: f.connected,
    ready: f.ready.reached,
    probes: f.ready.probes,
    readySeconds: f.ready.seconds,
    ...hold,
    fanOutsMs: fanOuts.map((o) => o.toLastMs),
    toLast: spread(fanOuts.map((o) => o.toLastMs)),
    delivered: fanOuts.reduce((n, o) => n + o.delivered, 0),
    lost: fanOuts.reduce((n, o) => n + o.lost, 0),
  };
}
