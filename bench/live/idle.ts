/**
 * R3 idle connections (BENCHMARKS.md): N subscribed connections that receive nothing for
 * `holdSeconds`; then how many are still open, the servers' resident memory per
 * connection, and one message fanned out to all N (time until the last has it). The
 * connections are spread over the system's serving processes (`target.endpoints`) and
 * over client processes of at most 15,000 each (a process may hold 20,000 files).
 */
import { runPhase, waitSubscribed, type Scene, type Target } from './drive.ts';
import { Fleet, type Connected } from './fleet.ts';
import { totalRssKiB } from './proc.ts';

export interface IdleResult {
  n: number;
  servers: number;
  connected: Connected;
  /** Subscriptions that got a readiness probe, after how many probes and seconds. */
  ready: number;
  probes: number;
  readySeconds: number;
  openAfterHold: number;
  /** Why subscriptions that had opened ended before the fan-out, with counts. */
  endings: [string, number][];
  /** Resident memory the serving processes (started for R3) added per connection, KiB. */
  perConnectionKiB: number;
  /**
   * How much the other server processes (Veza's subgraphs, running since the start) grew
   * meanwhile, MiB: not per connection — they hold a guard per user and gateway, and their
   * heap also shrinks when the collector runs.
   */
  othersDeltaMiB: number;
  /** The fanned-out message: latest arrival (ms after sending), deliveries, lost. */
  toLastMs: number;
  delivered: number;
  lost: number;
}

const PER_CLIENT_PROCESS = 15_000;

export async function measureIdle(target: Target, scene: Scene, opts: { holdSeconds: number }): Promise<IdleResult> {
  const { edge, all } = target.pids();
  const before = { edge: await totalRssKiB(edge), all: await totalRssKiB(all) };
  const processes = Math.ceil(scene.conns.length / PER_CLIENT_PROCESS);
  const { fleet, connected } = await Fleet.connect({ system: target.system, endpoints: target.endpoints, conns: scene.conns, processes, concurrency: 64 });
  try {
    const probing = performance.now();
    const ready = await waitSubscribed(target, scene, fleet, 10);
    const readySeconds = (performance.now() - probing) / 1000;
    await new Promise((r) => setTimeout(r, opts.holdSeconds * 1000));
    const { open, endings } = await fleet.progress();
    const after = { edge: await totalRssKiB(edge), all: await totalRssKiB(all) };
    const m = await runPhase(target, scene, fleet, { rate: 0, count: 1, maxInFlight: 1, quietMs: 5_000 });
    const n = scene.conns.length;
    return {
      n,
      servers: target.endpoints.length,
      connected,
      ready: ready.reached,
      probes: ready.probes,
      readySeconds,
      openAfterHold: open,
      endings,
      perConnectionKiB: (after.edge - before.edge) / n,
      othersDeltaMiB: (after.all - after.edge - (before.all - before.edge)) / 1024,
      toLastMs: m.stats.perSeq.size ? Math.max(...[...m.stats.perSeq.values()].map((s) => s.last)) : Number.NaN,
      delivered: m.stats.received,
      lost: m.lost,
    };
  } finally {
    await fleet.close();
  }
}
