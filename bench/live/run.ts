/**
 * Benchmark R (BENCHMARKS.md), `npm run bench -- live`: live delivery over WebSocket,
 * the raw baseline (raw-server.ts: ws + Redis pub/sub) against Veza's gateway in front of
 * Veza's subgraphs, each server its own process, clients and publisher their own
 * processes. R1 and R2 run BENCH_ROUNDS rounds with the systems interleaved, R4 (Veza
 * alone) BENCH_ROUNDS rounds; R3, a capacity test with 30 s holds, one pass per N.
 *
 * BENCH_LIVE=R1,R2,R3,R4 picks scenarios; BENCH_LIVE_USERS (1,000), BENCH_LIVE_BROADCAST
 * (R2's clients, 10,000), BENCH_LIVE_IDLE (R3's N values, "10000"; "10000,100000" for the
 * full R3) and BENCH_LIVE_HOLD (30 s) scale them.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Redis } from 'ioredis';
import { generateSigningKey } from '../../platform/auth/access-tokens.ts';
import type { Target } from './drive.ts';
import { forkWorker } from './ipc.ts';
import type { PublisherApi } from './publisher.ts';
import { oneRoom, rooms, sceneFor } from './scenes.ts';
import { seedVeza, type VezaWorld } from './seed.ts';
import { startRawServers, startVeza, type RawServers, type VezaStack } from './stack.ts';
import { measureRooms, type RoomsResult } from './rooms.ts';
import { measureBroadcast, type BroadcastResult } from './broadcast.ts';
import { measureIdle, type IdleResult } from './idle.ts';
import { measureResume, type ResumeResult } from './resume.ts';
import { formatReport } from './report.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const RAW_PORT = 4700;
const VEZA_PORT = 4800;
/** Serving processes for R3's largest N: at most 20,000 files each, some kept for the process itself. */
const PER_SERVER = 16_000;

export interface LiveBenchOptions {
  durationSeconds: number;
  rounds: number;
}

export type Results = {
  rooms: Record<'raw' | 'veza', RoomsResult[]>;
  broadcast: Record<'raw' | 'veza', BroadcastResult[]>;
  idle: Record<'raw' | 'veza', IdleResult[]>;
  resume: ResumeResult[];
};

const log = (line: string) => process.stdout.write(`${line}\n`);

export async function runLiveBench(opts: LiveBenchOptions): Promise<string> {
  const env = process.env;
  const chosen = new Set((env['BENCH_LIVE'] ?? 'R1,R2,R3,R4').split(',').map((s) => s.trim().toUpperCase()));
  const broadcastClients = Number(env['BENCH_LIVE_BROADCAST'] ?? 10_000);
  // 100,000 is not in the default: Veza takes minutes to accept them on this machine (see the README).
  const idleSizes = (env['BENCH_LIVE_IDLE'] ?? '10000').split(',').map(Number);
  const holdSeconds = Number(env['BENCH_LIVE_HOLD'] ?? 30);
  // Distinct users; R2's and R3's connections take them in turn (argon2id makes each sign-up ~40 ms here).
  const users = Number(env['BENCH_LIVE_USERS'] ?? 1000);
  // R1 also runs at a rate Veza's send path takes on this machine (~100 messages/s at most), for latency at equal load.
  const lowRate = Number(env['BENCH_LIVE_R1_LOW'] ?? 50);
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
  const publisher = forkWorker<PublisherApi>(fileURLToPath(new URL('./publisher.ts', import.meta.url)));
  let raw: RawServers | undefined;
  let veza: VezaStack | undefined;
  const stopExtra: (() => Promise<void>)[] = [];
  const results: Results = { rooms: { raw: [], veza: [] }, broadcast: { raw: [], veza: [] }, idle: { raw: [], veza: [] }, resume: [] };
  const started = performance.now();
  try {
    raw = await startRawServers(1, RAW_PORT, serverEnv);
    let world: VezaWorld | undefined;
    if (withVeza) {
      veza = await startVeza(VEZA_PORT, serverEnv);
      const t = performance.now();
      world = await seedVeza(veza.httpUrl, { users, rooms: 100, concurrency: 8, log });
      log(`  seeded ${users} users in ${((performance.now() - t) / 1000).toFixed(0)} s`);
    }
    const rawTarget = (servers: RawServers): Target => ({
      system: 'raw',
      endpoints: servers.endpoints,
      pids: () => ({ edge: servers.processes.map((p) => p.pid), all: servers.processes.map((p) => p.pid) }),
      publishTo: serverEnv.REDIS_URL,
      prefix,
      publisher,
    });
    const stack = veza;
    /** Veza with clients on gateways `from…from+count-1`; sends always go through gateway 0. */
    const vezaTarget = (from = 0, count = 1): Target => ({
      system: 'veza',
      endpoints: stack!.endpoints.slice(from, from + count),
      pids: () => {
        const edge = stack!.gateways.slice(from, from + count).map((g) => g.pid);
        return { edge, all: [...edge, ...stack!.subgraphs.map((s) => s.pid)] };
      },
      publishTo: stack!.httpUrl,
      prefix,
      publisher,
    });
    const rawServers = raw;
    const target = (system: 'raw' | 'veza'): Target => (system === 'raw' ? rawTarget(rawServers) : vezaTarget());

    for (let round = 1; round <= opts.rounds; round++) {
      for (const system of chosen.has('R1') ? systems : []) {
        log(`  R1 round ${round} ${system} (${((performance.now() - started) / 60_000).toFixed(1)} min in)`);
        const rates = [{ rate: lowRate, seconds: opts.durationSeconds / 2 }, { rate: 1000, seconds: opts.durationSeconds }];
        for (const r of await measureRooms(target(system), sceneFor(system, rooms(100, 10, users), world), { rates, warmupSeconds: 3 })) {
          results.rooms[system].push(r);
          log(`    ${r.askedRate} asked: ${r.achievedRate.toFixed(0)} msg/s, P50 ${r.latency.p50.toFixed(1)} ms, P99 ${r.latency.p99.toFixed(1)} ms, lost ${r.lost} ${r.problems.join('; ')}`);
        }
      }
      for (const system of chosen.has('R2') ? systems : []) {
        log(`  R2 round ${round} ${system} (${((performance.now() - started) / 60_000).toFixed(1)} min in)`);
        const r = await measureBroadcast(target(system), sceneFor(system, oneRoom('broadcast', broadcastClients, users, 10), world), { seconds: opts.durationSeconds });
        results.broadcast[system].push(r);
        log(`    to last: median ${r.toLast.median.toFixed(1)} ms, max ${r.toLast.max.toFixed(1)} ms, P99 ${r.latency.p99.toFixed(1)} ms, lost ${r.lost} ${r.problems.join('; ')}`);
      }
    }
    // R3 is a capacity test with 30 s holds: one pass per N, systems interleaved, on
    // serving processes started for it, so that their memory growth is the connections'.
    for (const n of chosen.has('R3') ? idleSizes : []) {
      const servers = Math.ceil(n / PER_SERVER);
      for (const system of systems) {
        log(`  R3 N=${n} ${system} on ${servers} fresh process(es) (${((performance.now() - started) / 60_000).toFixed(1)} min in)`);
        let fresh: Target;
        if (system === 'raw') {
          const extra = await startRawServers(servers, RAW_PORT + 1, serverEnv);
          stopExtra.push(...extra.processes.map((p) => p.stop));
          fresh = rawTarget(extra);
        } else {
          await stack!.addGateways(servers);
          stopExtra.push(() => stack!.stopExtraGateways());
          fresh = vezaTarget(1, servers);
        }
        const r = await measureIdle(fresh, sceneFor(system, oneRoom('idle', n, users, 1), world), { holdSeconds });
        for (const stop of stopExtra.splice(0)) await stop();
        results.idle[system].push(r);
        log(`    connected ${r.connected.connected} in ${r.connected.seconds.toFixed(0)} s, all got a probe after ${r.probes} (${r.readySeconds.toFixed(0)} s), open after hold ${r.openAfterHold}, ${r.perConnectionKiB.toFixed(1)} KiB/conn, fan-out ${r.toLastMs.toFixed(0)} ms, lost ${r.lost}`);
      }
    }
    for (let round = 1; round <= (chosen.has('R4') && withVeza ? opts.rounds : 0); round++) {
      log(`  R4 round ${round}`);
      const layout = { ...oneRoom('resume', 1, 1, 200), userOf: () => 200 };
      const r = await measureResume(target('veza'), sceneFor('veza', layout, world), { burst: 1000, dropAfter: 300, offlineMs: 500 });
      results.resume.push(r);
      log(`    missed ${r.missed}, caught up in ${r.catchUpMs.toFixed(0)} ms, lost ${r.lost}, duplicated ${r.duplicates}`);
    }
    const versions = `${await packageVersions()}; code at ${commitOf()}`;
    return formatReport(results, { ...opts, withVeza, broadcastClients, idleSizes, holdSeconds, perServer: PER_SERVER, users, lowRate, versions, minutes: (performance.now() - started) / 60_000 });
  } finally {
    await publisher.stop();
    for (const stop of stopExtra) await stop();
    await veza?.stop();
    for (const p of raw?.processes ?? []) await p.stop();
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
    await forgetRedisKeys(serverEnv.REDIS_URL, prefix);
    await rm(serverEnv.VEZA_DATA_DIR, { recursive: true, force: true });
  }
}

/** The commit measured: BENCH_COMMIT when the tree is an export without git, else the checkout's HEAD. */
function commitOf(): string {
  if (process.env['BENCH_COMMIT']) return `commit ${process.env['BENCH_COMMIT']}`;
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'gateway', 'subgraphs', 'platform', 'schema'], { cwd: root, encoding: 'utf8' }).trim();
    return `commit ${head}${dirty ? ' with uncommitted changes in gateway/subgraphs/platform/schema' : ''}`;
  } catch {
    return 'an unknown commit';
  }
}

/** Deletes the run's Redis keys (streams, rate-limit counters); bounded in rounds. */
async function forgetRedisKeys(url: string, prefix: string): Promise<void> {
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
