/**
 * Media's subscriptions, spoken to directly over graphql-ws as the gateway speaks to them:
 * a track's processing steps for its owner, ending at READY; live listener counts (the
 * count at once, then its changes) for whoever may see the track, ending with FORBIDDEN
 * once they may not.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { dataOf, request, signUpUser, startTestVeza, tempDir, type TestUser, type TestVeza } from '../support/index.ts';
import { assertionFor, liveSubscriptions, record, subgraphClient } from '../support/subgraph-live.ts';
import {
  CompleteUploadDocument, LiveListenerCountDocument, LiveTrackProcessingDocument, RequestUploadDocument, StartPlaybackDocument, StopPlaybackDocument,
  TrackDetailsDocument, UpdateTrackDocument, type TrackVisibility,
} from '../generated/graphql.ts';
import { makeWav } from './fixtures.ts';

describe('media subscriptions over graphql-ws', () => {
  let veza: TestVeza;
  let dir: { path: string; remove: () => Promise<void> };
  let owner: TestUser;
  let wav: Buffer;
  const clients: Client[] = [];
  const client = () => {
    const c = subgraphClient(veza, 'media');
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    veza = await startTestVeza('production');
    dir = await tempDir();
    owner = await signUpUser(veza.url, 'Producer');
    await makeWav(join(dir.path, 'song.wav'), 4);
    wav = await readFile(join(dir.path, 'song.wav'));
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.dispose();
    // Rule: no subscription outlives its client.
    await expect.poll(() => liveSubscriptions(veza, 'media'), { timeout: 10_000 }).toBe(0);
  });
  afterAll(async () => {
    await veza?.stop();
    await dir?.remove();
  });

  /** A track whose file is uploaded; `complete` queues it for the worker. */
  async function uploaded(visibility: TrackVisibility = 'PUBLIC') {
    const up = dataOf(await request(veza.url, RequestUploadDocument, { input: { title: 'Live one', contentType: 'audio/wav', byteSize: wav.length, visibility } }, owner.token)).requestTrackUpload;
    await fetch(up.uploadUrl, { method: 'PUT', body: new Uint8Array(wav), headers: { 'content-type': 'audio/wav' } });
    const complete = async () =>
      dataOf(await request(veza.url, CompleteUploadDocument, { trackId: up.track.id, sha256: createHash('sha256').update(wav).digest('hex') }, owner.token));
    return { id: up.track.id, secretToken: up.track.secretToken, complete };
  }
  async function ready(visibility: TrackVisibility = 'PUBLIC') {
    const track = await uploaded(visibility);
    await track.complete();
    await expect.poll(async () => (await request(veza.url, TrackDetailsDocument, { id: track.id }, owner.token)).data?.track?.status, { timeout: 90_000 }).toBe('READY');
    return track;
  }

  it('trackProcessing: the owner sees the upload from its current state to READY, then the subscription completes', async () => {
    const track = await uploaded();
    const steps = record(client(), LiveTrackProcessingDocument, { trackId: track.id }, assertionFor(veza, owner.id));
    // The current state comes at once, so the subscription is live from here on.
    await steps.until((r) => r.data.length === 1);
    expect(steps.data[0]?.trackProcessing).toMatchObject({ trackId: track.id, status: 'UPLOADING', track: { id: track.id, status: 'UPLOADING' } });
    await track.complete();
    await steps.ended(90_000);
    expect(steps.completed).toBe(true);
    const seen = steps.data.map((d) => d.trackProcessing);
    expect(seen.map((s) => s.status).filter((s, i, all) => s !== all[i - 1])).toEqual(['UPLOADING', 'PROCESSING', 'READY']);
    const progress = seen.filter((s) => s.status === 'PROCESSING').map((s) => s.progress ?? 0);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(seen.at(-1)).toMatchObject({ status: 'READY', progress: 1, failureReason: null, track: { status: 'READY' } });
  });

  it('trackProcessing is for the owner only (FORBIDDEN for others, NOT_FOUND for what they cannot see)', async () => {
    const track = await ready();
    const hidden = await uploaded();
    const other = await signUpUser(veza.url, 'Curious');
    const c = client();
    const theirs = record(c, LiveTrackProcessingDocument, { trackId: track.id }, assertionFor(veza, other.id));
    const unseen = record(c, LiveTrackProcessingDocument, { trackId: hidden.id }, assertionFor(veza, other.id));
    await theirs.ended();
    await unseen.ended();
    expect(theirs.codes).toEqual(['FORBIDDEN']);
    expect(unseen.codes).toEqual(['NOT_FOUND']);
  });

  it('listenerCount gives the current count at once, then each change', async () => {
    const track = await ready();
    const first = dataOf(await request(veza.url, StartPlaybackDocument, { trackId: track.id })).startPlayback;
    const counts = record(client(), LiveListenerCountDocument, { trackId: track.id }, assertionFor(veza, null));
    await counts.until((r) => r.data.length === 1);
    expect(counts.data[0]?.listenerCount).toMatchObject({ trackId: track.id, count: 1 });
    const second = dataOf(await request(veza.url, StartPlaybackDocument, { trackId: track.id })).startPlayback;
    await counts.until((r) => r.data.at(-1)?.listenerCount.count === 2);
    dataOf(await request(veza.url, StopPlaybackDocument, { sessionId: first.id }));
    dataOf(await request(veza.url, StopPlaybackDocument, { sessionId: second.id }));
    await counts.until((r) => r.data.at(-1)?.listenerCount.count === 0);
    // Only changes are sent: no two results in a row carry the same count.
    const values = counts.data.map((d) => d.listenerCount.count);
    expect(values.filter((v, i) => v === values[i - 1])).toEqual([]);
    expect(counts.completed).toBe(false);
  });

  it('listenerCount follows the track\'s visibility: an UNLISTED track needs its secret, and a track made PRIVATE ends the subscription with FORBIDDEN', async () => {
    const track = await ready('UNLISTED');
    const listener = await signUpUser(veza.url, 'Listener');
    const c = client();
    const without = record(c, LiveListenerCountDocument, { trackId: track.id }, assertionFor(veza, listener.id));
    await without.ended();
    expect(without.codes).toEqual(['NOT_FOUND']);
    const counts = record(c, LiveListenerCountDocument, { trackId: track.id, secretToken: track.secretToken }, assertionFor(veza, listener.id));
    await counts.until((r) => r.data.length === 1);
    dataOf(await request(veza.url, UpdateTrackDocument, { input: { trackId: track.id, visibility: 'PRIVATE' } }, owner.token));
    // The next change of the count finds the track no longer visible to this listener.
    dataOf(await request(veza.url, StartPlaybackDocument, { trackId: track.id }, owner.token));
    await counts.ended();
    expect(counts.completed).toBe(true);
    expect(counts.results.at(-1)).toMatchObject({ data: null, errors: [{ extensions: { code: 'FORBIDDEN' } }] });
  });
});
