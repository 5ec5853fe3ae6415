/**
 * Live listener counts through the gateway: 1,000 playback sessions on one track count as
 * 1,000; when 300 of them stop heartbeating, the count reaches 700 once their presence
 * runs out (LISTENER_PRESENCE_SECONDS, the production default of 30 s); a stopped session leaves at once.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, dataOf, request, signUpUser, startTestVeza, tempDir, type TestVeza } from '../support/index.ts';
import { CompleteUploadDocument, HeartbeatDocument, RequestUploadDocument, StartPlaybackDocument, StopPlaybackDocument, TrackDetailsDocument } from '../generated/graphql.ts';
import { makeWav } from './fixtures.ts';

// The production default: a heartbeat round may take long on a loaded machine without any session expiring.
const PRESENCE_SECONDS = 30;
const HEARTBEAT_MS = 5_000;

describe('live listener counts', () => {
  let veza: TestVeza;
  let dir: { path: string; remove: () => Promise<void> };
  beforeAll(async () => {
    veza = await startTestVeza('production', { env: { LISTENER_PRESENCE_SECONDS: String(PRESENCE_SECONDS) } });
    dir = await tempDir();
  });
  afterAll(async () => {
    await veza?.stop();
    await dir?.remove();
  });

  it('counts 1,000 listeners, then 700 when 300 go silent', async () => {
    const owner = await signUpUser(veza.url, 'Performer');
    await makeWav(join(dir.path, 'song.wav'), 6);
    const body = await readFile(join(dir.path, 'song.wav'));
    const up = dataOf(await request(veza.url, RequestUploadDocument, { input: { title: 'Live', contentType: 'audio/wav', byteSize: body.length } }, owner.token)).requestTrackUpload;
    await fetch(up.uploadUrl, { method: 'PUT', body: new Uint8Array(body), headers: { 'content-type': 'audio/wav' } });
    dataOf(await request(veza.url, CompleteUploadDocument, { trackId: up.track.id, sha256: createHash('sha256').update(body).digest('hex') }, owner.token));
    const count = async () => dataOf(await request(veza.url, TrackDetailsDocument, { id: up.track.id })).track?.listenerCount;
    await expect.poll(async () => (await request(veza.url, TrackDetailsDocument, { id: up.track.id }, owner.token)).data?.track?.status, { timeout: 60_000 }).toBe('READY');

    // Players heartbeat while they listen, as real ones do, so how long it takes to start
    // 1,000 sessions on a loaded machine does not matter.
    const listening = new Set<string>();
    let beating = true;
    const heartbeats = (async () => {
      while (beating) {
        const round = performance.now();
        const queue = [...listening];
        await Promise.all(
          Array.from({ length: 20 }, async () => {
            for (let s = queue.shift(); s; s = queue.shift()) if (listening.has(s)) await request(veza.url, HeartbeatDocument, { sessionId: s, position: 1 });
          }),
        );
        // Players heartbeat every few seconds (PLAYBACK_HEARTBEAT_SECONDS), not as fast as they can.
        const rest = HEARTBEAT_MS - (performance.now() - round);
        if (beating && rest > 0) await new Promise<void>((resolve) => setTimeout(resolve, rest));
      }
    })();

    // 1,000 anonymous listeners start, 20 at a time.
    const sessions: string[] = [];
    const pending = Array.from({ length: 1000 }, (_, i) => i);
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        for (let i = pending.shift(); i !== undefined; i = pending.shift()) {
          const id = dataOf(await request(veza.url, StartPlaybackDocument, { trackId: up.track.id })).startPlayback.id;
          sessions.push(id);
          listening.add(id);
        }
      }),
    );
    await expect.poll(count, { timeout: 120_000, interval: 500 }).toBe(1000);

    // 700 keep heartbeating; 300 fall silent.
    for (const s of sessions.slice(0, 300)) listening.delete(s);
    const staying = sessions.slice(300);
    await expect.poll(count, { timeout: 120_000, interval: 500 }).toBe(700);
    beating = false;
    await heartbeats;

    dataOf(await request(veza.url, StopPlaybackDocument, { sessionId: staying[0]! }));
    expect(await count()).toBeLessThanOrEqual(699);
    expect(codeOf(await request(veza.url, StopPlaybackDocument, { sessionId: staying[0]! }))).toBe('NOT_FOUND');
  }, 400_000);
});
