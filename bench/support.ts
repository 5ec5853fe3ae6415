/** What every benchmark shares: child processes, their CPU and peak memory, medians. */
import { execFileSync, spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Redis } from 'ioredis';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

export interface Child {
  process: ChildProcessWithoutNullStreams;
  /** The first stdout line matching `ready`, parsed by the caller. */
  firstLine: string;
  stop: () => Promise<void>;
}

/**
 * Node's flags in the npm script that runs a Veza server in production (`start:gateway`,
 * `start:subgraph`; the k8s manifests run the same commands): the benches start Veza's
 * servers with them, as deployed (today a fixed young generation and no memory reducer,
 * docs/operations.md).
 */
export function productionNodeFlags(script: 'start:gateway' | 'start:subgraph'): string[] {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as { scripts: Record<string, string> };
  const words = pkg.scripts[script]?.split(/\s+/) ?? [];
  if (words[0] !== 'node') throw new Error(`package.json's ${script} does not start with node: ${pkg.scripts[script] ?? '(missing)'}`);
  const flags: string[] = [];
  for (const w of words.slice(1)) {
    if (!w.startsWith('--')) break;
    flags.push(w);
  }
  return flags;
}

/**
 * With BENCH_CPU_PROF=<folder>, a server process writes a V8 CPU profile there when it
 * stops (`<name>-<time>.cpuprofile`; open it in Chrome's DevTools): where a run's time went.
 */
export function profiling(name: string): string[] {
  const dir = process.env['BENCH_CPU_PROF'];
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name.replace(/\W+/g, '-')}-${Date.now()}.cpuprofile`] : [];
}

/** Starts `node [...nodeArgs] <script> ...args` and waits for its first output line. */
export function startChild(script: string, args: string[], env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<Child> {
  const name = `${script.split('/').at(-1)!.replace(/\.ts$/, '')}-${args.join('-')}`;
  const child = spawn(process.execPath, [...profiling(name), ...nodeArgs, script, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        child.stdout.off('data', onData);
        resolve({
          process: child,
          firstLine: out.slice(0, nl),
          stop: () => stopProcess(child, 5_000),
        });
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${script} ${args.join(' ')} exited (${code}) before it was ready:\n${err}`)));
  });
}

/** Runs `node <script> ...args` to completion and returns its stdout. */
export function runChild(script: string, args: string[]): Promise<string> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${script} exited ${code}`)))));
}

/** CPU seconds used so far by a process (user + system), from /proc. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat (utime, stime) are at 11 and 12 after the command name.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds used so far by a process and the children it has waited for (ffmpeg runs), from /proc. */
export async function cpuSecondsWithChildren(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime, stime, cutime, cstime: fields 14–17 of stat, at 11–14 after the command name.
  return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100;
}

/** Peak resident memory of a process (VmHWM), in MiB. */
export async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

export const fmt = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

/**
 * What a scenario gives back: its section of docs/benchmarks.md, and its ratios by a
 * stable name (e.g. `G1 veza/apollo req/s`), which `npm run bench` keeps in
 * docs/benchmarks.json and compares with the previous run's (repeatability).
 */
export interface BenchOutput {
  markdown: string;
  ratios: Record<string, number>;
  /**
   * Figures with nothing to divide them by (a time, a count), by a stable name: compared
   * with the previous run's like the ratios, and shown apart from them.
   */
  figures?: Record<string, number>;
}

/** The commit measured: BENCH_COMMIT when the tree is an export without git, else the checkout's HEAD (and whether its code had changes). */
export function commitOf(): string {
  if (process.env['BENCH_COMMIT']) return `commit ${process.env['BENCH_COMMIT']}`;
  const root = fileURLToPath(new URL('..', import.meta.url));
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'gateway', 'subgraphs', 'platform', 'schema', 'worker', 'bench', 'package.json'], { cwd: root, encoding: 'utf8' }).trim();
    return `commit ${head}${dirty ? ' with uncommitted changes' : ''}`;
  } catch {
    return 'an unknown commit';
  }
}

/** Ends a child process (stopped or not): SIGTERM, then SIGKILL if it is still there after `graceMs`; resolves once it exited. */
export function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    // A process stopped while the other system was measured (live/turns.ts) acts on it once continued.
    child.kill('SIGCONT');
    setTimeout(() => child.kill('SIGKILL'), graceMs).unref();
  });
}

/** Deletes a run's Redis keys (everything under `prefix`); bounded in rounds. */
export async function forgetRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    for (let i = 0; i < 10_000; i++) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
  } finally {
    redis.disconnect();
  }
}
