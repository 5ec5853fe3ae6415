/**
 * The platform as production runs it, for M2: each Veza process on its own (`node
 * subgraphs/main.ts <name>` ×5, `node gateway/main.ts`, `node worker/main.ts`) on the
 * machine's PostgreSQL (a fresh database) and Redis (a fresh prefix), with s3rver in a
 * process of its own as the S3 endpoint. Everything stops with SIGTERM at the end.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { generateSigningKey } from '../../platform/auth/access-tokens.ts';
import { SUBGRAPH_NAMES } from '../../platform/config.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** Fixed ports, apart from the other benchmarks' (gateway 4600+, live 4700+): subgraphs call each other at known URLs. */
const BASE_PORT = 4850;

export interface MediaStack {
  /** The gateway's GraphQL endpoint. */
  url: string;
  /** The worker process, whose CPU (with its ffmpeg children) each round reads. */
  workerPid: number;
  stop: () => Promise<void>;
}

interface Started {
  child: ChildProcessWithoutNullStreams;
  stop: () => Promise<void>;
}

/** Starts `node <script> ...args` and resolves with the first stdout line that `ready` accepts. */
function start(script: string, args: string[], env: NodeJS.ProcessEnv, ready: (line: string) => boolean): Promise<Started & { line: string }> {
  const child = spawn(process.execPath, [join(root, script), ...args], { cwd: root, env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    });
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      out = lines.pop() ?? '';
      const line = lines.find(ready);
      if (line === undefined) return;
      child.stdout.off('data', onData);
      child.stdout.resume();
      resolve({ child, stop, line });
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${script} ${args.join(' ')} exited (${code}) before it was ready:\n${err}`)));
  });
}

const logged = (message: string) => (line: string) => line.includes(`"msg":"${message}"`);

export async function startMediaStack(): Promise<MediaStack> {
  const name = `veza_bench_m2_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: 'postgresql://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const dataDir = await mkdtemp(join(tmpdir(), 'veza-bench-m2-'));
  const started: Started[] = [];
  const stop = async () => {
    for (const s of started.reverse()) await s.stop();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const s3 = await start('bench/media/object-store.ts', [join(dataDir, 's3')], {}, (l) => l.startsWith('{"endpoint"'));
    started.push(s3);
    const ports = Object.fromEntries(SUBGRAPH_NAMES.map((n, i) => [n, BASE_PORT + 1 + i]));
    const gatewayUrl = `http://127.0.0.1:${BASE_PORT}`;
    const env: NodeJS.ProcessEnv = {
      DATABASE_URL: `postgresql://postgres@127.0.0.1:5432/${name}`,
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_PREFIX: `${name}:`,
      S3_ENDPOINT: (JSON.parse(s3.line) as { endpoint: string }).endpoint,
      GATEWAY_SECRET: randomBytes(32).toString('base64url'),
      AUTH_PRIVATE_KEY: generateSigningKey(),
      GATEWAY_PORT: String(BASE_PORT),
      PUBLIC_URL: gatewayUrl,
      VEZA_DATA_DIR: dataDir,
      PLAYGROUND: 'false',
      LOG_LEVEL: 'info',
      ...Object.fromEntries(SUBGRAPH_NAMES.flatMap((n) => [[`${n.toUpperCase()}_PORT`, String(ports[n])], [`${n.toUpperCase()}_URL`, `http://127.0.0.1:${ports[n]}/graphql`]])),
    };
    // One after another: each applies its migrations at start-up.
    for (const n of SUBGRAPH_NAMES) started.push(await start('subgraphs/main.ts', [n], env, logged('subgraph listening')));
    started.push(await start('gateway/main.ts', [], env, logged('gateway listening')));
    const worker = await start('worker/main.ts', [], env, logged('transcoding worker ready'));
    started.push(worker);
    return { url: `${gatewayUrl}/graphql`, workerPid: worker.child.pid!, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
