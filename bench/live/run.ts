/**
 * Benchmark R (BENCHMARKS.md), `npm run bench -- live`: live delivery over WebSocket,
 * the raw baseline (raw-server.ts: ws + Redis pub/sub) against Veza's gateway in front of
 * Veza's subgraphs, each server its own process, clients and publisher their own
 * processes. R1 and R2 run BENCH_ROUNDS rounds with the systems interleaved, R4 (Veza
 * alone) BENCH_ROUNDS rounds, in R3's pass at its largest N while raw's connections are
 * held (Veza's connected before them); R3, a capacity test with
 * 30 s holds, one pass per N.
 *
 * BENCH_LIVE=R1,R2,R3,R4 picks scenarios; BENCH_LIVE_USERS (1,000), BENCH_LIVE_BROADCAST
 * (R2's clients, 10,000), BENCH_LIVE_IDLE (R3's N values, "10000"; "10000,100000" for the
 * full R3) and BENCH_LIVE_HOLD (30 s) scale them.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Redis } from 'ioredis';
import { generateSigningKey } from '../../platform/auth/access-tokens.ts';
import { SWEEP_P99_MS, sweepSeconds, type Target } from './drive.ts';
import type { Via } from './publisher.ts';
import { forkWorker, LOAD_PROCESS_NODE_ARGS } from './ipc.ts';
import type { PublisherApi } from './publisher.ts';
import { oneRoom, rooms, sceneFor } from './scenes.ts';
import { seedVeza, type VezaWorld } from './seed.ts';
import { collectGarbage, startRawServers, startVeza, type RawServers, type VezaStack } from './stack.ts';
import { measureRate, openRooms, type RoomsFleet, type RoomsResult } from './rooms.ts';
import { measureBroadcast, type BroadcastResult } from './broadcast.ts';
import { connectIdle, endHold, fanOut, FAN_OUT_SETTLE, fanOutsAt, idleResult, type FanOut, type HoldEnd, type IdleFleet, type IdleResult } from './idle.ts';
import { settle } from './proc.ts';
import { measureResume, type ResumeResult } from './resume.ts';
import { Turns } from './turns.ts';
import { formatReport } from './report.ts';
import { commitOf, forgetRedisKeys, type BenchOutput } from '../support.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const RAW_PORT = 4700;
const VEZA_PORT = 4800;
/** Serving processes for R3's largest N: at most 20,000 files each, some kept for the process itself. */
const PER_SERVER = 16_000;
/**
 * Node's flags for raw's R1 server (R1 and its higher rates): a young generation of a
 * fixed 16 MB. With V8's own sizing it stayed at ~1 MB (little of what it allocates
 * survives, so V8 never grows it), and at 1,000 messages/s the server paused for a young
 * collection 15 times a second (`--trace-gc`: 0.2–0.6 ms each, 3.6 ms once), inside raw's
 * ~1 ms P99 (0.8–2.7 ms per round; 1.08 and 1.84 ms pooled in two whole runs on one
 * commit). With it: 1.13 and 1.12 ms pooled in two R1 runs, but 0.87 and 1.25 in the two
 * whole runs after, so what still moves raw's P99 is not only these collections. The
 * baseline is the physical limit, so it gets the steadier setting; Veza's processes keep their
 * production settings. R3's raw servers (and R2 on them) keep V8's sizing: a young
 * generation fixed at 16 MB would count in their memory per connection.
 */
const RAW_R1_NODE_ARGS = ['--min-semi-space-size=16', '--max-semi-space-size=16'];
/** R1's warm-up at 1,000 messages/s before each measured window, seconds. */
const R1_WARMUP_SECONDS = 1;
/**
 * Before R1's first round, every one of its measurements runs this long unmeasured: right
 * after the set-up (1,000 sign-ups, the connections) the servers' code is still cold and
 * PostgreSQL tidies the tables the seeding filled, and the first round was the slowest in
 * most runs.
 */
const R1_FIRST_PASS_SECONDS = 2;
/**
 * R2's rounds are at least this long: at one message a second, a shorter round's P99 per
 * delivery is its slowest message or two.
 */
const R2_MIN_SECONDS = 8;

export interface LiveBenchOptions {
  durationSeconds: number;
  rounds: number;
}

export type Results = {
  /** R1 at 1,000 messages/s: Veza's events published on the bus as raw's are. */
  rooms: Record<'raw' | 'veza', RoomsResult[]>;
  /** R1 at the low rate: Veza's messages sent with `sendMessage` (the send path counts). */
  send: Record<'raw' | 'veza', RoomsResult[]>;
  /** R1 at higher rates, once each. */
  sweep: Record<'raw' | 'veza', RoomsResult[]>;
  broadcast: Record<'raw' | 'veza', BroadcastResult[]>;
  idle: Record<'raw' | 'veza', IdleResult[]>;
  resume: ResumeResult[];
};

const log = (line: string) => process.stdout.write(`${line}\n`);

export async function runLiveBench(opts: LiveBenchOptions): Promise<BenchOutput> {
  const env = process.env;
  const chosen = new Set((env['BENCH_LIVE'] ?? 'R1,R2,R3,R4').split(',').map((s) => s.trim().toUpperCase()));
  const broadcastClients = Number(env['BENCH_LIVE_BROADCAST'] ?? 10_000);
  const idleSizes = (env['BENCH_LIVE_IDLE'] ?? '10000,100000').split(',').map(Number);
  const holdSeconds = Number(env['BENCH_LIVE_HOLD'] ?? 30);
  // Distinct users; R2's and R3's connections take them in turn (argon2id makes each sign-up ~40 ms here).
  const users = Number(env['BENCH_LIVE_USERS'] ?? 1000);
  // R1 with sendMessage runs at a rate Veza's send path takes on this machine (~100 messages/s at most).
  const lowRate = Number(env['BENCH_LIVE_R1_LOW'] ?? 50);
  const sweepRates = (env['BENCH_LIVE_R1_SWEEP'] ?? '3000,10000').split(',').filter(Boolean).map(Number);
  const broadcastSeconds = Math.max(R2_MIN_SECONDS, opts.durationSeconds);
  const supergraph = await readFile(`${root}schema/supergraph.graphql`, 'utf8');
  const withVeza = /^\s*messageAdded\(/m.test(supergraph) && env['BENCH_LIVE_SYSTEMS'] !== 'raw';
  const systems = withVeza ? (['raw', 'veza'] as const) : (['raw'] as const);

  const dbName = `veza_live_${randomBytes(4).toString('hex')}`;
  const prefix = `${dbName}:`;
  const admin = new pg.Client({ connectionString: 'postgresql://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const serverEnv = {
    DATABASE_URL: `postgresql://postgres@127.0.0.1:5432/${dbName}`,
    REDIS_URL: 'redis://127.0.0.1:6379',
    REDIS_PREFIX: prefix,
    BENCH_LIVE_PREFIX: prefix,
    GATEWAY_SECRET: randomBytes(32).toString('base64url'),
    AUTH_PRIVATE_KEY: generateSigningKey(),
    // Every client is a user who signed up from 127.0.0.1; tokens outlive the run.
    SIGN_UP_LIMIT_PER_ADDRESS: '1000000',
    ACCESS_TOKEN_TTL_SECONDS: '7200',
    VEZA_DATA_DIR: `/tmp/${dbName}`,
    LOG_LEVEL: 'warn',
  };
  const publisher = forkWorker<PublisherApi>(fileURLToPath(new URL('./publisher.ts', import.meta.url)), {}, LOAD_PROCESS_NODE_ARGS);
  let raw: RawServers | undefined;
  let veza: VezaStack | undefined;
  const stopExtra: (() => Promise<void>)[] = [];
  const results: Results = { rooms: { raw: [], veza: [] }, send: { raw: [], veza: [] }, sweep: { raw: [], veza: [] }, broadcast: { raw: [], veza: [] }, idle: { raw: [], veza: [] }, resume: [] };
  const started = performance.now();
  try {
    raw = await startRawServers(1, RAW_PORT, serverEnv, { inspect: true, nodeArgs: RAW_R1_NODE_ARGS });
    let world: VezaWorld | undefined;
    if (withVeza) {
      veza = await startVeza(VEZA_PORT, serverEnv);
      const t = performance.now();
      world = await seedVeza(veza.httpUrl, { users, rooms: 100, concurrency: 12, log });
      log(`  seeded ${users} users in ${((performance.now() - t) / 1000).toFixed(0)} s`);
    }
    const rawTarget = (servers: RawServers): Target => ({
      system: 'raw',
      via: 'publish',
      endpoints: servers.endpoints,
      pids: () => ({ edge: servers.processes.map((p) => p.pid), all: servers.processes.map((p) => p.pid) }),
      publishTo: serverEnv.REDIS_URL,
      prefix,
      publisher,
    });
    const stack = veza;
    /**
     * Veza with clients on gateways `from…from+count-1`. `publish`: chat's events on the
     * bus, as raw's messages are; `send`: `sendMessage` through gateway 0.
     */
    const vezaTarget = (via: Via, from = 0, count = 1): Target => ({
      system: 'veza',
      via,
      endpoints: stack!.endpoints.slice(from, from + count),
      pids: () => {
        const edge = stack!.gateways.slice(from, from + count).map((g) => g.pid);
        return { edge, all: [...edge, ...stack!.subgraphs.map((s) => s.pid)] };
      },
      publishTo: via === 'send' ? stack!.httpUrl : serverEnv.REDIS_URL,
      prefix,
      publisher,
    });
    const rawServers = raw;
    /** R3's raw servers, while they run (emptied once they are stopped: their PIDs may be reused). */
    const rawExtra: number[] = [];
    // While one system is measured, the other's servers are stopped (turns.ts).
    const turns = new Turns((system) =>
      system === 'raw' ? [...rawServers.processes.map((p) => p.pid), ...rawExtra] : stack ? [...stack.subgraphs, ...stack.gateways].map((p) => p.pid) : [],
    );
    /**
     * Every server process of both systems runs one full garbage collection (through its
     * inspector) once R1's clients are connected, before anything is measured: the start-up's
     * garbage, collected once, before the first scenario (R1, or R2/R3 when R1 is not run);
     * each process's own collections during the measurements are untouched. It is an
     * ordinary collection (`plain`): the low-memory one used before shrank and uncommitted
     * what it could, and the first young collections after it paused Veza's processes
     * 20–54 ms (one traced R1 run). (It was brought in when V8's memory reducer ran its pass
     * in Veza's idle subgraphs 107–115 s after start, in R1's third round; Veza's servers
     * now run without the reducer, docs/operations.md.)
     */
    let collectedAtStart = false;
    const startUpCollected = async () => {
      if (collectedAtStart) return;
      collectedAtStart = true;
      const t = performance.now();
      await collectGarbage([...rawServers.processes, ...(stack ? [...stack.subgraphs, ...stack.gateways] : [])].map((p) => p.pid), 'plain');
      log(`  every server collected its start-up garbage (${((performance.now() - t) / 1000).toFixed(1)} s)`);
    };
    const minutesIn = () => ((performance.now() - started) / 60_000).toFixed(1);
    const show = (what: string, r: RoomsResult) =>
      log(`    ${what} ${r.askedRate} asked: ${r.achievedRate.toFixed(0)} msg/s, P50 ${r.latency.p50.toFixed(1)} ms, P99 ${r.latency.p99.toFixed(1)} ms, lost ${r.lost} ${[...r.problems, ...r.sendErrors].join('; ')}`);

    if (chosen.has('R1')) {
      // Every system's clients connect once; the rounds then interleave on them.
      log(`  R1 connecting (${minutesIn()} min in)`);
      const scenes = {
        raw: sceneFor('raw', rooms(100, 10, users), world),
        veza: withVeza ? sceneFor('veza', rooms(100, 10, users), world) : undefined,
        send: withVeza ? sceneFor('veza', rooms(100, 10, users, 'send-rooms'), world) : undefined,
      };
      const fleets: RoomsFleet[] = [];
      try {
        const rawRooms = await openRooms(rawTarget(rawServers), scenes.raw);
        fleets.push(rawRooms);
        const vezaRooms = withVeza ? await openRooms(vezaTarget('publish'), scenes.veza!) : undefined;
        const sendRooms = withVeza ? await openRooms(vezaTarget('send'), scenes.send!) : undefined;
        for (const f of [vezaRooms, sendRooms]) if (f) fleets.push(f);
        await startUpCollected();
        // The send path's window is the whole window too (it was half): at 50 messages/s each
        // message is 10 deliveries, so in 2.5 s the P99 was the second-slowest message of the
        // window, and moved by half between runs. Twice the window (14 s) was tried: the
        // send-path P99 ratio still moved by 65 % between two whole runs on one commit (7.47 →
        // 12.31), and each run took 42 s longer (3 rounds × 2 systems × 7 s), past 15 minutes on that machine.
        const window = { seconds: opts.durationSeconds, warmupSeconds: R1_WARMUP_SECONDS };
        /** R1's four measurements in turn, each over `w`; `kept` only for the measured rounds. */
        const measureR1 = async (w: { seconds: number; warmupSeconds: number }, kept: boolean) => {
          const keep = (list: RoomsResult[], what: string, r: RoomsResult) => {
            if (!kept) return;
            list.push(r);
            show(what, r);
          };
          keep(results.rooms.raw, 'raw', await turns.alone('raw', () => measureRate(rawTarget(rawServers), scenes.raw, rawRooms, { rate: 1000, ...w })));
          if (vezaRooms) keep(results.rooms.veza, 'veza', await turns.alone('veza', () => measureRate(vezaTarget('publish'), scenes.veza!, vezaRooms, { rate: 1000, ...w })));
          keep(results.send.raw, 'raw', await turns.alone('raw', () => measureRate(rawTarget(rawServers), scenes.raw, rawRooms, { rate: lowRate, ...w })));
          if (sendRooms) keep(results.send.veza, 'veza sendMessage', await turns.alone('veza', () => measureRate(vezaTarget('send'), scenes.send!, sendRooms, { rate: lowRate, ...w })));
        };
        log(`  R1 unmeasured first pass (${minutesIn()} min in)`);
        const pass = { seconds: R1_FIRST_PASS_SECONDS, warmupSeconds: 0 };
        await measureR1(pass, false);
        for (let round = 1; round <= opts.rounds; round++) {
          log(`  R1 round ${round} (${minutesIn()} min in)`);
          await measureR1(window, true);
        }
        // Higher rates, once each, bounded: where P99 passes 50 ms or deliveries are lost —
        // a system that is past that already is not pushed further.
        const past = (r: RoomsResult) => r.latency.p99 > SWEEP_P99_MS || r.lost > 0 || r.unsent > 0 || r.failedSends > 0;
        for (const rate of sweepRates) {
          const sweep = { rate, seconds: sweepSeconds(opts.durationSeconds), warmupSeconds: 1 };
          if (!results.rooms.raw.some(past) && !results.sweep.raw.some(past)) {
            log(`  R1 raw at ${rate} msg/s (${minutesIn()} min in)`);
            const r = await turns.alone('raw', () => measureRate(rawTarget(rawServers), scenes.raw, rawRooms, sweep));
            results.sweep.raw.push(r);
            show('raw', r);
          }
          if (vezaRooms && !results.rooms.veza.some(past) && !results.sweep.veza.some(past)) {
            log(`  R1 veza at ${rate} msg/s (${minutesIn()} min in)`);
            const v = await turns.alone('veza', () => measureRate(vezaTarget('publish'), scenes.veza!, vezaRooms, sweep));
            results.sweep.veza.push(v);
            show('veza', v);
          }
        }
      } finally {
        for (const f of fleets) await f.fleet.close();
      }
    }

    // R4 (Veza alone, on gateway 0 and the subgraphs) runs once: at R3's largest N when R3
    // runs, in Veza's hold, once both systems' connections are open (the hold is otherwise
    // only waiting), else after the rest.
    const sizes = [...new Set([...(chosen.has('R3') ? idleSizes : []), ...(chosen.has('R2') ? [broadcastClients] : [])])].sort((a, b) => a - b);
    const resumeInHoldOf = chosen.has('R3') && chosen.has('R4') && withVeza ? sizes.at(-1) : undefined;
    const runResume = async () => {
      for (let round = 1; round <= (chosen.has('R4') && withVeza ? opts.rounds : 0); round++) {
        log(`  R4 round ${round} (${minutesIn()} min in)`);
        const layout = { ...oneRoom('resume', 1, 1, 200), userOf: () => 200 };
        const r = await measureResume(vezaTarget('send'), sceneFor('veza', layout, world), { burst: 1000, dropAfter: 300, offlineMs: 500 });
        results.resume.push(r);
        log(`    missed ${r.missed}, caught up in ${r.catchUpMs.toFixed(0)} ms, lost ${r.lost}, duplicated ${r.duplicates}`);
      }
    };

    // R3 (idle connections) on serving processes started for it, so that their memory
    // growth is the connections'; at N = 10,000 R2 runs its rounds on the same clients
    // while they are held. Both systems stay connected at once, so their holds overlap.
    for (const n of sizes) {
      await startUpCollected();
      const servers = Math.ceil(n / PER_SERVER);
      const broadcastHere = chosen.has('R2') && n === broadcastClients;
      const idle: Partial<Record<'raw' | 'veza', IdleFleet>> = {};
      try {
        // Every system's serving processes start before anyone connects (they start in parallel).
        log(`  R3 N=${n}: starting ${servers} fresh serving process(es) per system (${minutesIn()} min in)`);
        const fresh = Object.fromEntries(
          await Promise.all(
            systems.map(async (system): Promise<[string, Target]> => {
              if (system === 'raw') {
                const extra = await startRawServers(servers, RAW_PORT + 1, serverEnv, { inspect: true });
                rawExtra.push(...extra.processes.map((p) => p.pid));
                stopExtra.push(...extra.processes.map((p) => p.stop));
                return [system, rawTarget(extra)];
              }
              await stack!.addGateways(servers, { inspect: true });
              stopExtra.push(() => stack!.stopExtraGateways());
              return [system, vezaTarget('publish', 1, servers)];
            }),
          ),
        ) as Record<(typeof systems)[number], Target>;
        // Raw first, then Veza: Veza's connect is raw's hold, and R4 (at the largest N) is
        // Veza's, so no hold is only waiting; the fan-outs come once both holds have passed.
        // Raw's idle server does nothing while Veza connects, whereas Veza's gateways ping
        // their connections every 25 s: with Veza first, raw connected its 100,000 while
        // Veza's were pinged (107 s against Veza's 76 in one run; raw first, 47–65 s in four).
        const order = [...systems];
        for (const system of order) {
          log(`  R3 N=${n} ${system}: connecting (${minutesIn()} min in)`);
          const f = await connectIdle(fresh[system], sceneFor(system, oneRoom('idle', n, users, 10), world));
          idle[system] = f;
          log(`    connected ${f.connected.connected} in ${f.connected.seconds.toFixed(0)} s, ${f.ready.reached} got a probe after ${f.ready.probes} (${f.ready.seconds.toFixed(0)} s)`);
          if (system === 'veza' && n === resumeInHoldOf) await runResume();
        }
        for (let round = 1; round <= (broadcastHere ? opts.rounds : 0); round++) {
          for (const system of systems) {
            const f = idle[system]!;
            log(`  R2 round ${round} ${system} (${minutesIn()} min in)`);
            const r = await turns.alone(system, () => measureBroadcast(f.target, f.scene, f.fleet, f.connected, { seconds: broadcastSeconds }));
            results.broadcast[system].push(r);
            log(`    to last: median ${r.toLast.median.toFixed(1)} ms, max ${r.toLast.max.toFixed(1)} ms, P99 ${r.latency.p99.toFixed(1)} ms, lost ${r.lost} ${r.problems.join('; ')}`);
          }
        }
        // Each system's hold ends (memory, connections still open) in the order they
        // connected; then the systems take turns fanning one message out to all N, so that
        // each pair of fan-outs meets the same machine.
        const holds: Partial<Record<'raw' | 'veza', HoldEnd>> = {};
        for (const system of order) holds[system] = await endHold(idle[system]!, holdSeconds, (since) => turns.stoppedMsSince(system, since));
        await settle(FAN_OUT_SETTLE.percent, FAN_OUT_SETTLE.maxSeconds);
        const fanOuts: Record<'raw' | 'veza', FanOut[]> = { raw: [], veza: [] };
        log(`  R3 N=${n}: ${fanOutsAt(n)} fan-outs per system, in turn (${minutesIn()} min in)`);
        for (let i = 0; i < fanOutsAt(n); i++) for (const system of order) fanOuts[system].push(await turns.alone(system, () => fanOut(idle[system]!)));
        const fleets = order.map((system) => [system, idle[system]!] as const);
        for (const system of order) delete idle[system];
        // Both fleets close at once: nothing is measured any more.
        await Promise.all(fleets.map(([, f]) => f.fleet.close()));
        for (const [system, f] of fleets) {
          const r = idleResult(f, holds[system]!, fanOuts[system]);
          if (chosen.has('R3') && idleSizes.includes(n)) results.idle[system].push(r);
          log(`  R3 N=${n} ${system}: open after ${r.heldSeconds.toFixed(0)} s ${r.openAfterHold}, ${r.perConnectionKiB.toFixed(1)} KiB/conn, fan-outs ${r.toLast.median.toFixed(0)} ms median [${r.toLast.min.toFixed(0)}–${r.toLast.max.toFixed(0)}], lost ${r.lost}`);
        }
      } finally {
        for (const f of Object.values(idle)) {
          await f.rssSampler.stop();
          await f.fleet.close();
        }
        await Promise.all(stopExtra.splice(0).map((stop) => stop()));
        rawExtra.length = 0;
      }
    }
    if (resumeInHoldOf === undefined) await runResume();
    const versions = `${await packageVersions()}; code at ${commitOf()}`;
    return formatReport(results, { ...opts, broadcastSeconds, r1WarmupSeconds: R1_WARMUP_SECONDS, r1FirstPassSeconds: R1_FIRST_PASS_SECONDS, withVeza, broadcastClients, idleSizes, holdSeconds, perServer: PER_SERVER, users, lowRate, sweepRates, resumeDuringHold: resumeInHoldOf, versions, minutes: (performance.now() - started) / 60_000 });
  } finally {
    await publisher.stop();
    await Promise.all(stopExtra.splice(0).map((stop) => stop()));
    await veza?.stop();
    for (const p of raw?.processes ?? []) await p.stop();
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
    await forgetRedisKeys(serverEnv.REDIS_URL, prefix);
    await rm(serverEnv.VEZA_DATA_DIR, { recursive: true, force: true });
  }
}

async function packageVersions(): Promise<string> {
  const version = async (name: string) => ((JSON.parse(await readFile(`${root}node_modules/${name}/package.json`, 'utf8')) as { version: string }).version);
  const redis = new Redis('redis://127.0.0.1:6379');
  const info = await redis.info('server');
  redis.disconnect();
  const pgClient = new pg.Client({ connectionString: 'postgresql://postgres@127.0.0.1:5432/postgres' });
  await pgClient.connect();
  const pgVersion = ((await pgClient.query<{ server_version: string }>('show server_version')).rows[0]?.server_version ?? '?').split(' ')[0];
  await pgClient.end();
  const names = ['ws', 'graphql-ws', 'ioredis', '@apollo/gateway', 'graphql'];
  const pkgs = await Promise.all(names.map(async (n) => `${n} ${await version(n)}`));
  return [...pkgs, `Redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? '?'}`, `PostgreSQL ${pgVersion}`].join(', ');
}
