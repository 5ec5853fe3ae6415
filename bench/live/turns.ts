/**
 * Benchmark R's systems take turns on the machine: while one system is measured, the
 * other's server processes are stopped (SIGSTOP) and continued (SIGCONT) right after, so
 * that neither's background work runs in the other's window. Raw's server has none, but
 * Veza's six processes do even when no message passes (their keep-alive pings, timers,
 * garbage collections after a measurement): the "other load" of raw's R1 windows was
 * 1–10 % of one core where Veza's was 0–5 %, and on two cores a few milliseconds of it
 * land in raw's ~1 ms P99. Each system's own background work stays in its own windows.
 *
 * Only the servers are stopped: the clients, the publisher, PostgreSQL and Redis run on.
 * A stopped process keeps its connections (the kernel holds them), so the hold of R3 counts
 * only the time its processes ran (`stoppedMsSince`).
 */
import type { System } from './clients.ts';

const SYSTEMS: readonly System[] = ['raw', 'veza'];

/** Sends `signal` to each of `pids`; a process that has ended meanwhile is passed over. */
function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
}

export class Turns {
  readonly #serversOf: (system: System) => number[];
  /** When each system's servers were stopped, performance.now() milliseconds. */
  readonly #stopped: { system: System; from: number; to: number }[] = [];

  /** `serversOf`: a system's server processes as they are when asked (R3 adds some). */
  constructor(serversOf: (system: System) => number[]) {
    this.#serversOf = serversOf;
  }

  /** Runs `measure` with every other system's servers stopped, and continues them however it ends. */
  async alone<T>(system: System, measure: () => Promise<T>): Promise<T> {
    const others = SYSTEMS.filter((s) => s !== system);
    const pids = others.flatMap((s) => this.#serversOf(s));
    const from = performance.now();
    signalAll(pids, 'SIGSTOP');
    try {
      return await measure();
    } finally {
      signalAll(pids, 'SIGCONT');
      const to = performance.now();
      for (const s of others) this.#stopped.push({ system: s, from, to });
    }
  }

  /** How long `system`'s servers have been stopped since `since` (performance.now()), milliseconds. */
  stoppedMsSince(system: System, since: number): number {
    let ms = 0;
    for (const s of this.#stopped) if (s.system === system) ms += Math.max(0, s.to - Math.max(s.from, since));
    return ms;
  }
}
