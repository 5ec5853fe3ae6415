/**
 * R3 idle connections (BENCHMARKS.md): N subscribed connections; the servers' resident
 * memory per connection once all are connected and probed; after `holdSeconds`, how many
 * are still open; then one message fanned out to all N (time until the last has it). The
 * connections are spread over the system's serving processes (`target.endpoints`) and
 * over client processes of at most 15,000 each (a process may hold 20,000 files).
 * Connecting and finishing are apart, so that the holds of both systems (and R2's rounds,
 * on the same 10,000) overlap instead of adding up.
 */
import { runPhase, waitSubscribed, type Scene, type Target } from './drive.ts';
import { Fleet, type Connected } from './fleet.ts';
import { settle, totalRssKiB } from './proc.ts';
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
  /** The fanned-out messages' latest arrivals (ms after sending): median, lowest, highest. */
  toLast: { median: number; min: number; max: number };
  /** The fanned-out messages' deliveries and losses, in all. */
  delivered: number;
  lost: number;
}

const PER_CLIENT_PROCESS = 15_000;
/** Messages fanned out to all N after the hold, each once the previous one reached everyone (or went quiet). */
export const FAN_OUTS = 4;
/**
 * Before a system's fan-outs, the machine settles under `percent` % of one core
 * (`maxSeconds` at most), so that they do not share it with the other system's fleet
 * closing its connections.
 */
export const FAN_OUT_SETTLE = { percent: 30, maxSeconds: 15 };
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
  await collectGarbage(edge);
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

/**
 * Once `holdSeconds` have passed since the fleet was ready (other measurements may have
 * run meanwhile): how many are still open, then one message fanned out to all; closes
 * the fleet.
 */
export async function finishIdle(f: IdleFleet, holdSeconds: number): Promise<IdleResult> {
  try {
    const wait = f.readyAt + holdSeconds * 1000 - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const sampled = await f.rssSampler.stop();
    const edge = f.target.pids().edge;
    await collectGarbage(edge);
    const lowest = Math.min(sampled.lowest, await totalRssKiB(edge));
    const readings = sampled.readings + 1;
    const { open, endings } = await f.fleet.progress();
    const heldSeconds = (performance.now() - f.readyAt) / 1000;
    await settle(FAN_OUT_SETTLE.percent, FAN_OUT_SETTLE.maxSeconds);
    const toLast: number[] = [];
    let delivered = 0;
    let lost = 0;
    for (let i = 0; i < FAN_OUTS; i++) {
      const m = await runPhase(f.target, f.scene, f.fleet, { rate: 0, count: 1, maxInFlight: 1, quietMs: 5_000 });
      toLast.push(m.stats.perSeq.size ? Math.max(...[...m.stats.perSeq.values()].map((s) => s.last)) : Number.NaN);
      delivered += m.stats.received;
      lost += m.lost;
    }
    const n = f.scene.conns.length;
    return {
      n,
      servers: f.target.endpoints.length,
      connected: f.connected,
      ready: f.ready.reached,
      probes: f.ready.probes,
      readySeconds: f.ready.seconds,
      heldSeconds,
      openAfterHold: open,
      endings,
      perConnectionKiB: (lowest - f.rss.before.edge) / n,
      rssReadings: readings,
      othersDeltaMiB: (f.rss.after.all - f.rss.after.edge - (f.rss.before.all - f.rss.before.edge)) / 1024,
      toLast: spread(toLast),
      delivered,
      lost,
    };
  } finally {
    await f.fleet.close();
  }
}
