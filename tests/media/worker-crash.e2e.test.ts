/**
 * Rule: a job survives its worker, in either phase. The worker process is killed while
 * the first variant is being made (the track is PROCESSING), or after the track became
 * READY while the rest of the ladder is made; a new worker takes the job up, a playable
 * track stays playable meanwhile, the track ends READY with every rendition, and the
 * bucket holds exactly one set of renditions — every object referenced, none left over.
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
import { ProcessingWatch, type ProcessingEvent } from './processing.ts';
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

  /** An uploaded 90-second track, queued, followed live by its owner. */
  async function queued(title: string) {
    const owner = await signUpUser(veza.url, 'Patient');
    const wav = join(dir.path, `${title}.wav`);
    await makeWav(wav, 90);
    const body = await readFile(wav);
    const up = dataOf(await request(veza.url, RequestUploadDocument, { input: { title, contentType: 'audio/wav', byteSize: body.length } }, owner.token)).requestTrackUpload;
    await fetch(up.uploadUrl, { method: 'PUT', body: new Uint8Array(body), headers: { 'content-type': 'audio/wav' } });
    dataOf(await request(veza.url, CompleteUploadDocument, { trackId: up.track.id, sha256: createHash('sha256').update(body).digest('hex') }, owner.token));
    const watch = await ProcessingWatch.start(veza.url, owner.token, up.track.id);
    const track = async () => dataOf(await request(veza.url, TrackDetailsDocument, { id: up.track.id }, owner.token)).track!;
    return { id: up.track.id, watch, track };
  }

  /** Starts a worker, kills it (SIGKILL) once `when` holds for the events seen, and waits for it to be gone. */
  async function killWhen(watch: ProcessingWatch, when: (e: ProcessingEvent) => boolean): Promise<void> {
    const worker = startWorker();
    await watch.until((events) => events.some(when));
    const exited = new Promise((r) => worker.once('exit', r));
    worker.kill('SIGKILL');
    await exited;
  }

  /** After a second worker: READY with every rendition, and exactly one set in the bucket. */
  async function completesOnce(t: Awaited<ReturnType<typeof queued>>): Promise<void> {
    startWorker();
    const events = await t.watch.ended();
    t.watch.close();
    expect(events.at(-1)).toMatchObject({ status: 'READY', renditionsComplete: true });
    expect(events.filter((e) => e.status === 'FAILED')).toEqual([]);
    expect((await t.track()).renditions).toHaveLength(8);

    // Exactly one set: every object under the prefix is referenced by the playlists or is a download.
    const store = veza.veza.platform.services.store;
    const prefix = `tracks/${t.id}/renditions/`;
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
    expect(referenced.size).toBeGreaterThan(5 * 16);
    expect(keys).toEqual([...referenced].sort());
  }

  it('completes once, with one set of renditions, when the first worker dies before the track is playable', async () => {
    const t = await queued('Survivor');
    // Killed once it has reported progress, i.e. in the middle of the first variant.
    await killWhen(t.watch, (e) => e.status === 'PROCESSING' && (e.progress ?? 0) > 0);
    expect((await t.track()).status).toBe('PROCESSING');
    await completesOnce(t);
  }, 240_000);

  it('stays playable, then completes once, when the worker dies after the track became READY', async () => {
    const t = await queued('Phoenix');
    await killWhen(t.watch, (e) => e.status === 'READY' && !e.renditionsComplete);
    const playable = await t.track();
    expect(playable).toMatchObject({ status: 'READY', renditionsComplete: false });
    // With no worker running, what is published plays: the master, a variant, a segment.
    const master = await (await fetch(playable.stream!.hlsUrl)).text();
    const variantUrl = new URL(master.split('\n').find((l) => l.includes('/playlist.m3u8') && !l.startsWith('#'))!, playable.stream!.hlsUrl);
    const variant = await (await fetch(variantUrl)).text();
    const segment = await fetch(variant.split('\n').find((l) => l && !l.startsWith('#'))!);
    expect(segment.status).toBe(200);
    await completesOnce(t);
  }, 240_000);
});
