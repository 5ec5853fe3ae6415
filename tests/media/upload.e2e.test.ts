/**
 * Direct uploads through the gateway and the real object store: bad declarations are
 * refused, a missing file is an error the client can recover from, a file that does not
 * match what was declared ends FAILED with the reason and leaves nothing in the bucket,
 * and a good one is queued for transcoding exactly once.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, dataOf, request, signUpUser, startTestVeza, type TestUser, type TestVeza } from '../support/index.ts';
import { CompleteUploadDocument, DeleteTrackDocument, RequestUploadDocument, TrackDetailsDocument, UpdateTrackDocument } from '../generated/graphql.ts';
import { TRANSCODE_QUEUE, type TranscodeJobPayload } from '../../subgraphs/media/services/tracks.ts';

describe('track uploads', () => {
  let veza: TestVeza;
  let owner: TestUser;
  beforeAll(async () => {
    // This file takes the queued jobs itself, so no worker runs beside it.
    veza = await startTestVeza('production', { withoutWorker: true });
    owner = await signUpUser(veza.url, 'Uploader');
  });
  afterAll(async () => {
    await veza?.stop();
  });

  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
  async function start(byteSize: number, contentType = 'audio/mpeg') {
    return dataOf(await request(veza.url, RequestUploadDocument, { input: { title: 'Take one', contentType, byteSize, tags: ['Live', 'live', 'jazz'] } }, owner.token)).requestTrackUpload;
  }
  const objects = () => veza.veza.platform.services.store.list('originals/');

  it('refuses unsupported types, empty and oversized files, and too many tags', async () => {
    expect(codeOf(await request(veza.url, RequestUploadDocument, { input: { title: 'x', contentType: 'text/plain', byteSize: 10 } }, owner.token))).toBe('BAD_USER_INPUT');
    expect(codeOf(await request(veza.url, RequestUploadDocument, { input: { title: 'x', contentType: 'audio/mpeg', byteSize: 0 } }, owner.token))).toBe('BAD_USER_INPUT');
    expect(codeOf(await request(veza.url, RequestUploadDocument, { input: { title: 'x', contentType: 'audio/mpeg', byteSize: 2 * 1024 ** 3 } }, owner.token))).toBe('BAD_USER_INPUT');
    expect(codeOf(await request(veza.url, RequestUploadDocument, { input: { title: 'x', contentType: 'audio/mpeg', byteSize: 1, tags: Array.from({ length: 11 }, (_, i) => `t${i}`) } }, owner.token))).toBe('BAD_USER_INPUT');
    expect(codeOf(await request(veza.url, RequestUploadDocument, { input: { title: 'x', contentType: 'audio/mpeg', byteSize: 1 } }))).toBe('UNAUTHENTICATED');
  });

  it('asks for the file again when none was uploaded, and checks the checksum format', async () => {
    const upload = await start(100);
    expect(upload.track.tags).toEqual(['live', 'jazz']);
    const missing = await request(veza.url, CompleteUploadDocument, { trackId: upload.track.id, sha256: 'a'.repeat(64) }, owner.token);
    expect(codeOf(missing)).toBe('BAD_USER_INPUT');
    expect(missing.errors?.[0]?.message).toMatch(/No file has been uploaded/);
    expect(codeOf(await request(veza.url, CompleteUploadDocument, { trackId: upload.track.id, sha256: 'not-hex' }, owner.token))).toBe('BAD_USER_INPUT');
    const still = dataOf(await request(veza.url, TrackDetailsDocument, { id: upload.track.id }, owner.token)).track;
    expect(still?.status).toBe('UPLOADING');
  });

  it('fails a file whose size differs from the declaration, and removes it', async () => {
    const upload = await start(100);
    const body = new Uint8Array(150);
    expect((await fetch(upload.uploadUrl, { method: 'PUT', body, headers: { 'content-type': 'audio/mpeg' } })).status).toBe(200);
    expect(await objects()).toContain(`originals/${upload.track.id}`);
    const done = dataOf(await request(veza.url, CompleteUploadDocument, { trackId: upload.track.id, sha256: sha(body) }, owner.token)).completeTrackUpload;
    expect(done.status).toBe('FAILED');
    expect(done.failureReason).toMatch(/150 bytes, not the 100 declared/);
    expect(await objects()).not.toContain(`originals/${upload.track.id}`);
  });

  it('queues a good upload once, however often it is completed', async () => {
    const body = new Uint8Array(64).fill(7);
    const upload = await start(body.length);
    await fetch(upload.uploadUrl, { method: 'PUT', body, headers: { 'content-type': 'audio/mpeg' } });
    const first = dataOf(await request(veza.url, CompleteUploadDocument, { trackId: upload.track.id, sha256: sha(body) }, owner.token)).completeTrackUpload;
    expect(first).toMatchObject({ status: 'PROCESSING', processingProgress: 0 });
    dataOf(await request(veza.url, CompleteUploadDocument, { trackId: upload.track.id, sha256: sha(body) }, owner.token));
    // Take the queued jobs as a worker would: exactly one, for this track.
    const jobs: TranscodeJobPayload[] = [];
    const stop = await veza.veza.platform.services.jobs.process<TranscodeJobPayload>(TRANSCODE_QUEUE, async (job) => void jobs.push(job.payload), { concurrency: 1 });
    await expect.poll(() => jobs.length).toBe(1);
    await stop();
    expect(jobs[0]).toEqual({ trackId: upload.track.id, originalKey: `originals/${upload.track.id}`, byteSize: 64, sha256: sha(body) });
  });

  it('lets only the owner edit or delete a track', async () => {
    const upload = await start(10);
    const other = await signUpUser(veza.url, 'Other');
    expect(codeOf(await request(veza.url, UpdateTrackDocument, { input: { trackId: upload.track.id, title: 'Mine now' } }, other.token))).toBe('NOT_FOUND');
    const edited = dataOf(await request(veza.url, UpdateTrackDocument, { input: { trackId: upload.track.id, title: 'Take two', genre: 'Jazz', visibility: 'UNLISTED' } }, owner.token)).updateTrack;
    expect(edited).toMatchObject({ title: 'Take two', genre: 'Jazz', visibility: 'UNLISTED' });
    expect(dataOf(await request(veza.url, DeleteTrackDocument, { trackId: upload.track.id }, owner.token)).deleteTrack).toBe(true);
    expect(dataOf(await request(veza.url, TrackDetailsDocument, { id: upload.track.id }, owner.token)).track).toBeNull();
  });
});
