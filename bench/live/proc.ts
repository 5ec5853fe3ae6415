/**
 * What benchmark R reads about its server processes from /proc: CPU seconds over a
 * window, current and peak resident memory. The peak (VmHWM) is reset before each
 * measurement (`clear_refs` 5), so it is the peak of that measurement, not of the
 * process's life.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { cpuSeconds } from '../support.ts';

async function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
}

export const rssKiB = (pid: number): Promise<number> => statusKiB(pid, 'VmRSS');

/** Summed over `pids`, in KiB. */
export async function totalRssKiB(pids: number[]): Promise<number> {
  return (await Promise.all(pids.map(rssKiB))).reduce((a, b) => a + b, 0);
}

/** Makes VmHWM the current RSS, so what it shows next is the peak since now. */
export async function resetPeak(pids: number[]): Promise<void> {
  await Promise.all(pids.map((pid) => writeFile(`/proc/${pid}/clear_refs`, '5')));
}

/** Summed peak RSS of `pids` since the last reset, MiB. */
export async function peakMiB(pids: number[]): Promise<number> {
  return (await Promise.all(pids.map((pid) => statusKiB(pid, 'VmHWM')))).reduce((a, b) => a + b, 0) / 1024;
}

/** CPU used by `pids` from now until `stop()`, as % of one core over the wall time. */
export async function cpuMeter(pids: number[]): Promise<{ stop: () => Promise<number> }> {
  const started = performance.now();
  // A process that ended meanwhile (a PostgreSQL backend) counts what it had used.
  const cpu = (pid: number) => cpuSeconds(pid).catch(() => Number.NaN);
  const before = await Promise.all(pids.map(cpu));
  return {
    stop: async () => {
      const after = await Promise.all(pids.map(cpu));
      const used = after.reduce((n, a, i) => n + (Number.isFinite(a) && Number.isFinite(before[i]) ? a - before[i]! : 0), 0);
      return (used / ((performance.now() - started) / 1000)) * 100;
    },
  };
}

/** CPU the whole machine spends from now until `stop()`, as % of one core (200 = both cores busy). */
export async function machineMeter(): Promise<{ stop: () => Promise<number> }> {
  // /proc/stat's first line: user nice system idle iowait irq softirq steal…, in ticks.
  const read = async () => {
    const f = (await readFile('/proc/stat', 'utf8')).split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    return { busy: f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + (f[7] ?? 0), all: f.reduce((a, b) => a + b, 0) };
  };
  const before = await read();
  const cores = (await readFile('/proc/cpuinfo', 'utf8')).split('\n').filter((l) => l.startsWith('processor')).length || 1;
  return {
    stop: async () => {
      const after = await read();
      return ((after.busy - before.busy) / Math.max(1, after.all - before.all)) * cores * 100;
    },
  };
}

/**
 * Waits, a second at a time, until the machine's CPU over one second is under `percent`
 * (% of one core) or `maxSeconds` have passed, so that a measurement does not take in the
 * tail of what ran before it (processes ending, PostgreSQL dropping a database, a server
 * closing a hundred thousand sockets). Returns the seconds waited and the last second's CPU.
 */
export async function settle(percent: number, maxSeconds: number): Promise<{ waited: number; busy: number }> {
  const started = performance.now();
  for (;;) {
    const meter = await machineMeter();
    await new Promise((r) => setTimeout(r, 1000));
    const busy = await meter.stop();
    const waited = (performance.now() - started) / 1000;
    if (busy < percent || waited >= maxSeconds) return { waited, busy };
  }
}

/** PostgreSQL's and Redis's processes (read from /proc, never touched): their CPU serves both systems. */
export async function infrastructurePids(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '');
    if (/^(postgres|redis-server)/.test(comm)) pids.push(Number(entry));
  }
  return pids;
}
