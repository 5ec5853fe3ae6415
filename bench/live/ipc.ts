/**
 * The bench's control channel to its load processes (clients, publisher): each is forked
 * with Node's IPC channel and answers requests by name. Advanced serialisation, so typed
 * arrays and Maps cross whole. A load process ends when the bench does: it exits when the
 * channel closes, and in any case after `LIFETIME_MS`.
 */
import { fork } from 'node:child_process';
import { basename } from 'node:path';
import { profiling } from '../support.ts';

/** Request name → its argument and its answer. */
export type Api = Record<string, { req: unknown; res: unknown }>;

type Envelope = { id: number; name: string; req: unknown };
type Answer = { id: number; ok: true; res: unknown } | { id: number; ok: false; error: string };

/**
 * Node's flags for the load processes (clients and publisher), so that their own pauses
 * are not timed as a server's latency: a 256 MB young generation, and no incremental
 * marking; each phase (clients.ts) and each publishing run (publisher.ts) begins with a
 * full collection (`collectNow`), before anything is sent.
 * - With V8's default young generation (16 MB), a client holding 10,000 connections paused
 *   5–20 ms for a young collection about every 2 s, set off by the frames arriving, so in
 *   the middle of every second fan-out of R2 (each ~70–120 ms).
 * - With incremental marking, V8 started a full collection in R1's Veza client process
 *   twice in every 8 s window, each ~2.8 s after the last, with its old generation at
 *   18–20 MB of a 280 MB limit (`--trace-incremental-marking`: "Start (task)"), each
 *   finishing in a 6–17 ms pause (`--trace-gc`); raw's clients less often, and the
 *   publisher. Without it, in an R1 run traced the same way, no client collected in a
 *   measured window; the publisher did once (16 ms, in a raw window), hence its
 *   collection before each run.
 */
export const LOAD_PROCESS_NODE_ARGS: readonly string[] = ['--expose-gc', '--min-semi-space-size=256', '--max-semi-space-size=256', '--no-incremental-marking'];

/** A full garbage collection now, in a load process started with LOAD_PROCESS_NODE_ARGS (elsewhere, nothing). */
export function collectNow(): void {
  (globalThis as { gc?: (options: { type: 'major'; execution: 'sync' }) => void }).gc?.({ type: 'major', execution: 'sync' });
}

/** No load process outlives a whole `npm run bench -- live`. */
const LIFETIME_MS = 30 * 60_000;

export interface Worker<A extends Api> {
  pid: number;
  request<K extends keyof A & string>(name: K, req: A[K]['req'], timeoutMs?: number): Promise<A[K]['res']>;
  stop(): Promise<void>;
}

export function forkWorker<A extends Api>(script: string, env: NodeJS.ProcessEnv = {}, nodeArgs: readonly string[] = []): Worker<A> {
  // No inherited execArgv: the bench's own flags (an --eval, an inspector) are not the worker's;
  // with BENCH_CPU_PROF, load processes write their CPU profiles too.
  const child = fork(script, [], { env: { ...process.env, ...env }, execArgv: [...profiling(basename(script, '.ts')), ...nodeArgs], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.on('error', () => undefined); // a send on a closed channel: its request fails below
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  let next = 1;
  child.on('message', (m: Answer) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.ok) p.resolve(m.res);
    else p.reject(new Error(m.error));
  });
  child.once('exit', (code) => {
    for (const p of pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(`${script} exited (${code}) with a request pending`));
    }
    pending.clear();
  });
  return {
    pid: child.pid ?? 0,
    request: <K extends keyof A & string>(name: K, req: A[K]['req'], timeoutMs = 180_000) =>
      new Promise<A[K]['res']>((resolve, reject) => {
        const id = next++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${name} to ${script} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve: resolve, reject, timer });
        child.send({ id, name, req } satisfies Envelope, (err) => {
          if (!err) return;
          pending.delete(id);
          clearTimeout(timer);
          reject(err);
        });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.disconnect();
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}

/** The load process's side: answers each request with `handlers[name]`. */
export function serve<A extends Api>(handlers: { [K in keyof A]: (req: A[K]['req']) => Promise<A[K]['res']> }): void {
  const send = (a: Answer) => process.send?.(a);
  process.on('message', (m: Envelope) => {
    const handler = handlers[m.name];
    if (!handler) {
      send({ id: m.id, ok: false, error: `unknown request ${m.name}` });
      return;
    }
    handler(m.req).then(
      (res) => send({ id: m.id, ok: true, res }),
      (err: unknown) => send({ id: m.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
    );
  });
  process.once('disconnect', () => process.exit(0));
  setTimeout(() => process.exit(3), LIFETIME_MS).unref();
}
