/**
 * The server processes of benchmark R, each its own process as production runs them:
 * raw servers (bench/live/raw-server.ts), and Veza's five subgraphs
 * (`node [flags] subgraphs/main.ts <name>`) behind one or more gateways (`node [flags] gateway/main.ts`,
 * the flags of package.json's start scripts),
 * on a PostgreSQL database made for the run and Redis under a prefix of its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { SUBGRAPH_NAMES } from '../../platform/config.ts';
import { productionNodeFlags, profiling, startChild, stopProcess } from '../support.ts';

const path = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/** Every server process started here; should the bench itself die, they die with it. */
const started = new Set<{ kill: (signal: NodeJS.Signals) => boolean }>();
process.once('exit', () => {
  for (const child of started) child.kill('SIGKILL');
});

/**
 * Serving processes started with an inspector (R3's), by PID: the port it listens on
 * (127.0.0.1, the process's own port + INSPECTOR_OFFSET), so that `collectGarbage` can
 * ask it for a full collection before its memory is read.
 */
const inspectors = new Map<number, number>();
const INSPECTOR_OFFSET = 1000;
/** Node's flags for a process serving on `port`: an inspector beside it, or none. */
const inspectorArgs = (port: number | undefined) => (port === undefined ? [] : [`--inspect=127.0.0.1:${port + INSPECTOR_OFFSET}`]);

/** Keeps `child` among the processes to end with the bench (and its inspector, if it has one) until it exits. */
function track(child: ChildProcess, inspectedPort: number | undefined): void {
  const pid = child.pid ?? 0;
  started.add(child);
  if (inspectedPort !== undefined) inspectors.set(pid, inspectedPort + INSPECTOR_OFFSET);
  child.once('exit', () => {
    started.delete(child);
    inspectors.delete(pid);
  });
}

/**
 * Runs a full garbage collection in each of `pids` (through its inspector) and resolves once
 * all have finished. `memory`: the collection V8 runs on a low-memory notification
 * (`HeapProfiler.collectGarbage`), which also gives back what it can: before memory is read
 * (an idle process allocates nothing, so nothing else would collect what connecting left
 * behind; its resident memory after it is what its connections keep). `plain`: an ordinary
 * full collection (`gc()`), before latency is measured: the low-memory one also shrinks and
 * uncommits, and the first young collections after it paused Veza's processes 20–54 ms (one
 * traced R1 run). PIDs started without an inspector are left alone.
 */
export async function collectGarbage(pids: number[], kind: 'memory' | 'plain'): Promise<void> {
  const request =
    kind === 'memory'
      ? { id: 1, method: 'HeapProfiler.collectGarbage' }
      : // The process has no `gc` of its own; a context made after --expose-gc has one. The flag
        // stays set, which gives a `gc` only to vm contexts made later (Veza's servers make none).
        { id: 1, method: 'Runtime.evaluate', params: { expression: "require('node:v8').setFlagsFromString('--expose-gc'); require('node:vm').runInNewContext('gc')()", includeCommandLineAPI: true } };
  await Promise.all(
    pids.map(async (pid) => {
      const port = inspectors.get(pid);
      if (port === undefined) return;
      const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
      const url = targets[0]?.webSocketDebuggerUrl;
      if (!url) throw new Error(`process ${pid} lists no inspector target on port ${port}`);
      const ws = new WebSocket(url);
      try {
        await new Promise<void>((resolve, reject) => {
          ws.once('open', () => ws.send(JSON.stringify(request)));
          ws.on('message', (data: Buffer) => {
            const reply = JSON.parse(data.toString()) as { id?: number; error?: { message: string }; result?: { exceptionDetails?: { text: string } } };
            if (reply.id !== 1) return;
            if (reply.error) reject(new Error(`process ${pid}: ${reply.error.message}`));
            else if (reply.result?.exceptionDetails) reject(new Error(`process ${pid}: ${reply.result.exceptionDetails.text}`));
            else resolve();
          });
          ws.once('error', reject);
        });
      } finally {
        ws.close();
      }
    }),
  );
}

export interface ServerProcess {
  name: string;
  pid: number;
  stop: () => Promise<void>;
}

/**
 * Starts `node <script> ...args`, then waits until GET `probe` answers 200 (at most a
 * minute). `nodeFlags`: Node's flags, those of its npm script; `inspectedPort`: the port it
 * serves on, to start it with an inspector beside it.
 */
async function startProbed(name: string, script: string, args: string[], env: NodeJS.ProcessEnv, probe: string, nodeFlags: string[], inspectedPort?: number): Promise<ServerProcess> {
  const logs = process.env['BENCH_SERVER_LOGS'];
  const child = spawn(process.execPath, [...profiling(name), ...nodeFlags, ...inspectorArgs(inspectedPort), script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', logs ? 'pipe' : 'ignore', 'pipe'] });
  track(child, inspectedPort);
  if (logs) {
    // With BENCH_SERVER_LOGS=<folder>, each server's output goes to <folder>/<name>.log.
    const file = createWriteStream(`${logs}/${name.replace(/\W+/g, '-')}.log`, { flags: 'a' });
    child.stdout?.pipe(file);
    child.stderr?.pipe(file);
  }
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`${name} exited (${code}):\n${err}`))));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const up = await Promise.race([
      fetch(probe, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false),
      exited,
    ]);
    if (up) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not answer ${probe} within a minute:\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  exited.catch(() => undefined);
  return {
    name,
    pid: child.pid ?? 0,
    stop: () => stopProcess(child),
  };
}

export interface RawServers {
  endpoints: string[];
  processes: ServerProcess[];
}

/** `inspect`: each with an inspector, for `collectGarbage`; `nodeArgs`: Node's flags for each. */
export async function startRawServers(count: number, basePort: number, env: NodeJS.ProcessEnv, { inspect = false, nodeArgs = [] as readonly string[] } = {}): Promise<RawServers> {
  const processes = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const port = basePort + i;
      const inspected = inspect ? port : undefined;
      const child = await startChild(path('./raw-server.ts'), [String(port)], env, [...inspectorArgs(inspected), ...nodeArgs]);
      track(child.process, inspected);
      return { name: `raw-${i}`, pid: child.process.pid ?? 0, stop: child.stop };
    }),
  );
  return { endpoints: processes.map((_, i) => `ws://127.0.0.1:${basePort + i}/`), processes };
}

export interface VezaStack {
  subgraphs: ServerProcess[];
  gateways: ServerProcess[];
  /** The first gateway's GraphQL URL over HTTP (seeding, sending). */
  httpUrl: string;
  /** Every gateway's WebSocket URL, in start order. */
  endpoints: string[];
  /** Starts more gateways on the next ports (`inspect`: each with an inspector, for `collectGarbage`); `stopExtraGateways` ends them again. */
  addGateways: (count: number, options?: { inspect?: boolean }) => Promise<void>;
  stopExtraGateways: () => Promise<void>;
  stop: () => Promise<void>;
}

/**
 * Subgraphs on `basePort + 1…5` (as DEFAULT_PORTS orders them), gateways from `basePort + 10`;
 * the subgraphs and the first gateway with an inspector (for `collectGarbage`).
 */
export async function startVeza(basePort: number, env: NodeJS.ProcessEnv): Promise<VezaStack> {
  const urls = Object.fromEntries(SUBGRAPH_NAMES.map((name, i) => [`${name.toUpperCase()}_URL`, `http://127.0.0.1:${basePort + 1 + i}/graphql`]));
  const ports = Object.fromEntries(SUBGRAPH_NAMES.map((name, i) => [`${name.toUpperCase()}_PORT`, String(basePort + 1 + i)]));
  const all = { ...env, ...urls, ...ports, HOST: '127.0.0.1' };
  const flags = { subgraph: productionNodeFlags('start:subgraph'), gateway: productionNodeFlags('start:gateway') };
  const startSubgraph = (name: string, i: number) =>
    startProbed(`subgraph ${name}`, path('../../subgraphs/main.ts'), [name], all, `http://127.0.0.1:${basePort + 1 + i}/healthz`, flags.subgraph, basePort + 1 + i);
  // Community first: it owns the token keys the others and the gateway verify against.
  const subgraphs = [await startSubgraph('community', 0)];
  subgraphs.push(...(await Promise.all(SUBGRAPH_NAMES.slice(1).map((name, i) => startSubgraph(name, i + 1)))));
  const gateways: ServerProcess[] = [];
  const gatewayPort = (i: number) => basePort + 10 + i;
  const addGateways = async (count: number, { inspect = false } = {}) => {
    const first = gateways.length;
    const started = await Promise.all(
      Array.from({ length: count }, (_, j) => {
        const port = gatewayPort(first + j);
        return startProbed(`gateway ${first + j}`, path('../../gateway/main.ts'), [], { ...all, GATEWAY_PORT: String(port), PLAYGROUND: 'false' }, `http://127.0.0.1:${port}/healthz`, flags.gateway, inspect ? port : undefined);
      }),
    );
    gateways.push(...started);
  };
  await addGateways(1, { inspect: true });
  return {
    subgraphs,
    gateways,
    httpUrl: `http://127.0.0.1:${gatewayPort(0)}/graphql`,
    get endpoints() {
      return gateways.map((_, i) => `ws://127.0.0.1:${gatewayPort(i)}/graphql`);
    },
    addGateways,
    stopExtraGateways: async () => {
      await Promise.all(gateways.splice(1).map((g) => g.stop()));
    },
    stop: async () => {
      await Promise.all(gateways.splice(0).map((g) => g.stop()));
      await Promise.all(subgraphs.splice(0).map((s) => s.stop()));
    },
  };
}
