/**
 * A fleet of client load processes (clients.ts), each with source addresses of its own
 * (127.0.0.2, 127.0.0.3, …) so that no process runs out of file descriptors and no address
 * crowds its ephemeral ports; connections are split over the processes in contiguous
 * blocks and their reports merged.
 *
 * At most `PER_ADDRESS` connections per address: Linux gives bind(port 0) the odd half of
 * the range first (~14,000 ports here), and past that each bind scans it all. Addresses
 * are never reused within a run, so the TIME_WAIT ports of a closed fleet cost nothing.
 */
import { fileURLToPath } from 'node:url';
import { forkWorker, LOAD_PROCESS_NODE_ARGS, type Worker } from './ipc.ts';
import type { ClientsApi, ConnSpec, PhaseStats, System } from './clients.ts';
import { concat } from './stats.ts';

const script = fileURLToPath(new URL('./clients.ts', import.meta.url));
const PER_ADDRESS = 5_000;
let addressesUsed = 0;

/** The next unused loopback source address (127.0.0.2 onwards). */
function nextAddress(): string {
  const n = addressesUsed++;
  return `127.0.${Math.floor(n / 250)}.${2 + (n % 250)}`;
}

export interface FleetOptions {
  system: System;
  endpoints: string[];
  conns: ConnSpec[];
  processes: number;
  /** Connection attempts in flight per process. */
  concurrency: number;
}

export interface Connected {
  connected: number;
  failed: number;
  reasons: string[];
  seconds: number;
}

export class Fleet {
  readonly workers: Worker<ClientsApi>[];

  private constructor(workers: Worker<ClientsApi>[]) {
    this.workers = workers;
  }

  static async connect(opts: FleetOptions): Promise<{ fleet: Fleet; connected: Connected }> {
    const per = Math.ceil(opts.conns.length / opts.processes);
    const workers = Array.from({ length: opts.processes }, () => forkWorker<ClientsApi>(script, {}, LOAD_PROCESS_NODE_ARGS));
    const fleet = new Fleet(workers);
    const started = performance.now();
    try {
      const results = await Promise.all(
        workers.map((w, p) => {
          const conns = opts.conns.slice(p * per, (p + 1) * per);
          const localAddresses = Array.from({ length: Math.max(1, Math.ceil(conns.length / PER_ADDRESS)) }, nextAddress);
          return w.request('connect', { system: opts.system, endpoints: opts.endpoints, firstIndex: p * per, localAddresses, conns, concurrency: opts.concurrency }, 600_000);
        }),
      );
      return {
        fleet,
        connected: {
          connected: results.reduce((n, r) => n + r.connected, 0),
          failed: results.reduce((n, r) => n + r.failed, 0),
          reasons: [...new Set(results.flatMap((r) => r.reasons))].slice(0, 5),
          seconds: (performance.now() - started) / 1000,
        },
      };
    } catch (err) {
      await fleet.close();
      throw err;
    }
  }

  get pids(): number[] {
    return this.workers.map((w) => w.pid);
  }

  async phase(phase: number, record = false): Promise<void> {
    await Promise.all(this.workers.map((w) => w.request('phase', { phase, record })));
  }

  async progress(): Promise<{ received: number; reached: number; open: number; endings: [string, number][] }> {
    const all = await Promise.all(this.workers.map((w) => w.request('progress', null)));
    const endings = new Map<string, number>();
    for (const [why, n] of all.flatMap((r) => r.endings)) endings.set(why, (endings.get(why) ?? 0) + n);
    return { received: sum(all, 'received'), reached: sum(all, 'reached'), open: sum(all, 'open'), endings: [...endings].sort((a, b) => b[1] - a[1]) };
  }

  async report(): Promise<PhaseStats> {
    const all = await Promise.all(this.workers.map((w) => w.request('report', null)));
    const perSeq = new Map<number, { count: number; last: number }>();
    for (const r of all) {
      for (const [seq, s] of r.perSeq) {
        const m = perSeq.get(seq);
        if (!m) perSeq.set(seq, { ...s });
        else {
          m.count += s.count;
          m.last = Math.max(m.last, s.last);
        }
      }
    }
    const orders = all.every((r) => r.orders) ? all.flatMap((r) => r.orders ?? []) : undefined;
    return {
      received: sum(all, 'received'),
      duplicates: sum(all, 'duplicates'),
      foreign: sum(all, 'foreign'),
      stale: sum(all, 'stale'),
      errors: sum(all, 'errors'),
      authorMismatch: sum(all, 'authorMismatch'),
      reached: sum(all, 'reached'),
      open: sum(all, 'open'),
      latencies: concat(all.map((r) => r.latencies)),
      perSeq,
      ...(orders ? { orders } : {}),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.request('close', null).catch(() => null)));
    await Promise.all(this.workers.map((w) => w.stop()));
  }
}

function sum<T extends Record<K, number>, K extends string>(rows: T[], key: K): number {
  return rows.reduce((n, r) => n + r[key], 0);
}
