/**
 * The platform of benchmark M3, as production runs it: Veza's five subgraphs (`node
 * subgraphs/main.ts <name>`) behind the gateway (`node gateway/main.ts`), started by
 * ../live/stack.ts on a PostgreSQL database made for the run and Redis under a prefix of
 * its own, with s3rver (object-store.ts) as the S3 endpoint and the transcoding worker
 * (`node worker/main.ts`), each a process of its own. The worker is only needed to make
 * the track playable; `stopWorker` ends it before anything is measured. `stop` ends
 * every process, drops the database and deletes the run's Redis keys.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { generateSigningKey } from '../../platform/auth/access-tokens.ts';
import { SUBGRAPH_NAMES } from '../../platform/config.ts';
import { startVeza, type ServerProcess, type VezaStack } from '../live/stack.ts';
import { forgetRedisKeys, startChild, stopProcess } from '../support.ts';

const path = (p: string) => fileURLToPath(new URL(p, import.meta.url));
/** Subgraphs on 4901–4905, the gateway on 4910: apart from the other benchmarks' ports (gateway 4600+, live 4700+, M2 4850+). */
const BASE_PORT = 4900;
const ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = 'redis://127.0.0.1:6379';

export interface ListenersStack {
  /** The gateway's GraphQL endpoint over HTTP. */
  url: string;
  gateway: ServerProcess;
  media: ServerProcess;
  stopWorker: () => Promise<void>;
  stop: () => Promise<void>;
}

/** A server process started here, ended with SIGTERM (SIGKILL after 10 s); killed should the bench die. */
function spawnServer(script: string, env: NodeJS.ProcessEnv): ServerProcess & { stderr: () => string } {
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  child.once('exit', () => process.off('exit', kill));
  return {
    name: script,
    pid: child.pid ?? 0,
    stderr: () => err,
    stop: () => stopProcess(child),
  };
}


export async function startListenersStack(env: NodeJS.ProcessEnv): Promise<ListenersStack> {
  const name = `veza_bench_m3_${randomBytes(4).toString('hex')}`;
  const prefix = `${name}:`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const dataDir = await mkdtemp(join(tmpdir(), 'veza-bench-m3-'));
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
    await forgetRedisKeys(REDIS_URL, prefix);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const s3 = await startChild(path('./object-store.ts'), [join(dataDir, 's3')], {});
    const killS3 = () => s3.process.kill('SIGKILL');
    process.once('exit', killS3);
    stops.push(async () => {
      await s3.stop();
      process.off('exit', killS3);
    });
    const mediaIndex = SUBGRAPH_NAMES.indexOf('media');
    const serverEnv: NodeJS.ProcessEnv = {
      DATABASE_URL: `postgresql://postgres@127.0.0.1:5432/${name}`,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      S3_ENDPOINT: (JSON.parse(s3.firstLine) as { endpoint: string }).endpoint,
      GATEWAY_SECRET: randomBytes(32).toString('base64url'),
      AUTH_PRIVATE_KEY: generateSigningKey(),
      PUBLIC_URL: `http://127.0.0.1:${BASE_PORT + 10}`,
      VEZA_DATA_DIR: dataDir,
      // Tokens outlive a long run (BENCH_M3_SIZES with 100,000).
      ACCESS_TOKEN_TTL_SECONDS: '7200',
      LOG_LEVEL: 'warn',
      ...env,
    };
    const veza: VezaStack = await startVeza(BASE_PORT, serverEnv);
    stops.push(() => veza.stop());
    const worker = spawnServer(path('../../worker/main.ts'), { ...serverEnv, MEDIA_URL: `http://127.0.0.1:${BASE_PORT + 1 + mediaIndex}/graphql` });
    stops.push(worker.stop);
    return {
      url: veza.httpUrl,
      gateway: veza.gateways[0]!,
      media: veza.subgraphs.find((s) => s.name === 'subgraph media')!,
      stopWorker: worker.stop,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
