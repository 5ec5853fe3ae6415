/**
 * Rule: a job survives its worker. The worker process is killed in the middle of a
 * transcode; a new worker takes the job up, the track becomes READY once, and the bucket
 * holds exactly one set of renditions — every object referenced, none left over.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataOf, request, signUpUser, startTestVeza, tempDir, type TestVeza } from '../support/index.ts';
import { CompleteUploadDocument, RequestUploadDocument, TrackDetailsDocument } from '../generated/graphql.ts';
import { makeWav } from './fixtures.ts';
import { join as joinUri } from '../../subgraphs/media/services/hls-playlists.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('a worker killed mid-job', () => {
  let veza: TestVeza;
  let dir: { path: string; remove: () => Promise<void> };
  const workers: ChildProcess[] = [];
  beforeAll(async () => {
    veza = await startTestVeza('production', { withoutWorker: true, env: { JOB_LEASE_SECONDS: '2' } });
    dir = await tempDir();
  });
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    await veza?.stop();
    await dir?.remove();
  });

  function startWorker(): ChildProcess {
    const c = veza.config;
    const media = veza.veza.subgraphs.find((s) => s.name === 'media')!.url;
    const child = spawn(process.execPath, ['worker/main.ts'], {
      cwd: root,
      stdio: 'ignore',
      env: {
        ...process.env, DATABASE_URL: c.databaseUrl, REDIS_URL: c.redisUrl, REDIS_PREFIX: c.redisPrefix, S3_ENDPOINT: c.s3.endpoint,
        GATEWAY_SECRET: c.gatewaySecret, MEDIA_URL: media, JOB_LEASE_SECONDS: '2', LOG_LEVEL: 'warn', VEZA_DATA_DIR: dir.path,
      },
    });
    workers.push(child);
    return child;
  }

  it('completes once, with one set of renditions, after the first worker dies', async () => {
    const owner = await signUpUser(veza.url, 'Patient');
    const wav = join(dir.path, 'minute.wav');
    await makeWav(wav, 90);
    const body = await readFile(wav);
    const up = dataOf(await request(veza.url, RequestUploadDocument, { input: { title: 'Survivor', contentType: 'audio/wav', byteSize: body.length } }, owner.token)).requestTrackUpload;
    await fetch(up.uploadUrl, { method: 'PUT', body: new Uint8Array(body), headers: { 'content-type': 'audio/wav' } });
    dataOf(await request(veza.url, CompleteUploadDocument, { trackId: up.track.id, sha256: createHash('sha256').update(body).digest('hex') }, owner.token));
    const track = async () => dataOf(await request(veza.url, TrackDetailsDocument, { id: up.track.id }, owner.token)).track!;

    const first = startWorker();
    // Killed once it has reported progress, i.e. in the middle of the encode.
    await expect.poll(async () => (await track()).processingProgress ?? 0, { timeout: 60_000, interval: 200 }).toBeGreaterThan(0);
    const exited = new Promise((r) => first.once('exit', r));
    first.kill('SIGKILL');
    await exited;
    expect((await track()).status).toBe('PROCESSING');

    startWorker();
    await expect.poll(async () => (await track()).status, { timeout: 110_000, interval: 500 }).toBe('READY');
    expect((await track()).renditions).toHaveLength(8);

    // Exactly one set: every object under the prefix is referenced by the playlists or is a download.
    const store = veza.veza.platform.services.store;
    const prefix = `tracks/${up.track.id}/renditions/`;
    const keys = (await store.list(prefix)).map((k) => k.slice(prefix.length)).sort();
    const text = async (path: string) => {
      const chunks: Buffer[] = [];
      for await (const c of await store.get(prefix + path)) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    };
    const referenced = new Set(['hls/master.m3u8', 'download.mp3', 'original.flac']);
    for (const line of (await text('hls/master.m3u8')).split('\n').filter((l) => l && !l.startsWith('#'))) {
      const variant = joinUri('hls', line);
      referenced.add(variant);
      const vdir = variant.slice(0, variant.lastIndexOf('/'));
      for (const l of (await text(variant)).split('\n')) {
        const map = /URI="([^"]+)"/.exec(l);
        if (map?.[1]) referenced.add(joinUri(vdir, map[1]));
        else if (l && !l.startsWith('#')) referenced.add(joinUri(vdir, l));
      }
    }
    expect(keys).toEqual([...referenced].sort());
  }, 240_000);
});
