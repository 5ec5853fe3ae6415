/**
 * Upload to playable, through the gateway, the real object store and ffmpeg: a 3-minute
 * stereo file, followed live with `trackProcessing`, becomes READY with an HLS ladder any
 * player can follow, a waveform of 1,800 buckets, and renditions normalised to −14 LUFS;
 * unlisted and private tracks are only playable by those allowed; bad files end FAILED
 * with a reason and leave no renditions.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, dataOf, request, signUpUser, startTestVeza, tempDir, type TestUser, type TestVeza } from '../support/index.ts';
import { CompleteUploadDocument, RequestUploadDocument, TrackDetailsDocument, UpdateTrackDocument } from '../generated/graphql.ts';
import { integratedLoudness, makeClickTrack, makeWav } from './fixtures.ts';
import { inOrder, ProcessingWatch, statusesOf } from './processing.ts';

describe('transcoding', () => {
  let veza: TestVeza;
  let owner: TestUser;
  let listener: TestUser;
  let dir: { path: string; remove: () => Promise<void> };
  beforeAll(async () => {
    veza = await startTestVeza('production');
    owner = await signUpUser(veza.url, 'Artist');
    listener = await signUpUser(veza.url, 'Listener');
    dir = await tempDir();
  });
  afterAll(async () => {
    await veza?.stop();
    await dir?.remove();
  });

  async function upload(body: Buffer, contentType = 'audio/wav', sha256?: string, visibility: 'PUBLIC' | 'UNLISTED' | 'PRIVATE' = 'PUBLIC') {
    const up = dataOf(await request(veza.url, RequestUploadDocument, { input: { title: 'Take', contentType, byteSize: body.length, visibility } }, owner.token)).requestTrackUpload;
    expect((await fetch(up.uploadUrl, { method: 'PUT', body: new Uint8Array(body), headers: { 'content-type': contentType } })).status).toBe(200);
    const done = dataOf(await request(veza.url, CompleteUploadDocument, { trackId: up.track.id, sha256: sha256 ?? createHash('sha256').update(body).digest('hex') }, owner.token)).completeTrackUpload;
    return { id: up.track.id, secret: up.track.secretToken, status: done.status };
  }
  const details = async (id: string, who: TestUser = owner, secretToken?: string) =>
    dataOf(await request(veza.url, TrackDetailsDocument, { id, ...(secretToken ? { secretToken } : {}) }, who.token)).track;
  const settled = (id: string) =>
    expect.poll(async () => (await details(id))?.status, { timeout: 110_000, interval: 500 }).toMatch(/READY|FAILED/);

  /** The master playlist, one AAC 128 variant and its segments, fetched as an HLS player does; returns the master's text. */
  async function play(hlsUrl: string): Promise<string> {
    const master = await fetch(hlsUrl);
    expect(master.status).toBe(200);
    const masterText = await master.text();
    const variantPath = masterText.split('\n').find((l) => l.includes('aac_128/playlist.m3u8'))!;
    const variant = await (await fetch(new URL(variantPath, hlsUrl))).text();
    const init = /#EXT-X-MAP:URI="([^"]+)"/.exec(variant)![1]!;
    const segments = variant.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(segments.length).toBeGreaterThanOrEqual(30);
    for (const url of [init, segments[0]!, segments.at(-1)!]) {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
    return masterText;
  }

  it('turns a 3-minute upload into a playable adaptive stream, playable from its first variant', async () => {
    const wav = join(dir.path, 'three-minutes.wav');
    await makeWav(wav, 180);
    const track = await upload(await readFile(wav));
    expect(track.status).toBe('PROCESSING');
    // Followed live from right after completeTrackUpload: the current state first, then each step.
    const watch = await ProcessingWatch.start(veza.url, owner.token, track.id);

    // Rule: READY means playable, whatever is still being made.
    await watch.until((events) => events.some((e) => e.status === 'READY'));
    const playable = (await details(track.id))!;
    expect(playable.status).toBe('READY');
    expect(playable.waveform).toHaveLength(1800);
    expect(playable.renditions.map((r) => `${r.kind}:${r.codec}:${r.bitrateKbps ?? ''}`)).toEqual(expect.arrayContaining(['HLS_MASTER:hls:', 'HLS_VARIANT:aac:128']));
    await play(playable.stream!.hlsUrl);

    const events = await watch.ended();
    watch.close();
    expect(statusesOf(events)).toEqual(['PROCESSING', 'READY']);
    expect(inOrder(events)).toBe(true);
    // Playable first, complete after: the READY step with the first variant comes before the last one.
    const ready = events.filter((e) => e.status === 'READY');
    expect(ready[0]).toMatchObject({ renditionsComplete: false });
    expect(events.at(-1)).toMatchObject({ trackId: track.id, status: 'READY', progress: 1, failureReason: null, renditionsComplete: true, track: { id: track.id, status: 'READY' } });
    const t = (await details(track.id))!;
    expect(t).toMatchObject({ status: 'READY', renditionsComplete: true, processingProgress: 1 });
    expect(t.durationSeconds).toBeCloseTo(180, 0);
    expect(t.waveform).toHaveLength(1800);
    expect(t.renditions.map((r) => r.kind).sort()).toEqual(['FLAC', 'HLS_MASTER', 'HLS_VARIANT', 'HLS_VARIANT', 'HLS_VARIANT', 'HLS_VARIANT', 'HLS_VARIANT', 'MP3']);
    // A steady tone in noise: a loudness range, a spectrum, and no pulse to give a tempo.
    expect(t.audioFeatures?.tempoBpm).toBeNull();
    expect(t.audioFeatures?.loudnessRangeLu).toBeGreaterThanOrEqual(0);
    expect(t.audioFeatures?.spectralCentroidHz).toBeGreaterThan(0);

    // The whole ladder now, with every variant's CODECS.
    const masterText = await play(t.stream!.hlsUrl);
    expect(masterText).toMatch(/CODECS="mp4a\.40\.2"/);
    expect(masterText).toMatch(/CODECS="opus"/);
    expect(masterText.split('\n').filter((l) => l.includes('/playlist.m3u8') && !l.startsWith('#'))).toHaveLength(5);

    // The download: range requests work, and the normalised audio sits within 1 LU of −14 LUFS.
    const ranged = await fetch(t.stream!.mp3Url!, { headers: { range: 'bytes=0-99' } });
    expect(ranged.status).toBe(206);
    const mp3 = join(dir.path, 'download.mp3');
    await writeFile(mp3, Buffer.from(await (await fetch(t.stream!.mp3Url!)).arrayBuffer()));
    expect(Math.abs((await integratedLoudness(mp3)) - -14)).toBeLessThanOrEqual(1);
  }, 180_000);

  it('measures the tempo and a spectral summary of an upload, for discovery', async () => {
    const clicks = join(dir.path, 'clicks.wav');
    await makeClickTrack(clicks, 120, 30);
    const track = await upload(await readFile(clicks));
    const watch = await ProcessingWatch.start(veza.url, owner.token, track.id);
    await watch.ended();
    watch.close();
    const features = (await details(track.id))!.audioFeatures!;
    expect(Math.abs(features.tempoBpm! - 120)).toBeLessThanOrEqual(3);
    expect(features.tempoConfidence).toBeGreaterThan(0.5);
    // 1.5 kHz blips: the spectrum's centre sits near them.
    expect(features.spectralCentroidHz).toBeGreaterThan(1000);
    expect(features.spectralCentroidHz).toBeLessThan(4000);
  });

  it('plays unlisted tracks with their secret only, and private ones for their owner only', async () => {
    const wav = join(dir.path, 'short.wav');
    await makeWav(wav, 8);
    const unlisted = await upload(await readFile(wav), 'audio/wav', undefined, 'UNLISTED');
    await settled(unlisted.id);
    expect(await details(unlisted.id, listener)).toBeNull();
    const withSecret = await details(unlisted.id, listener, unlisted.secret!);
    expect(withSecret?.stream?.hlsUrl).toBeTruthy();
    dataOf(await request(veza.url, UpdateTrackDocument, { input: { trackId: unlisted.id, visibility: 'PRIVATE' } }, owner.token));
    expect(await details(unlisted.id, listener, unlisted.secret!)).toBeNull();
    expect((await details(unlisted.id))?.stream?.hlsUrl).toBeTruthy();
  });

  it('fails corrupt files, text renamed .mp3 and wrong checksums with a reason, leaving no renditions', async () => {
    const wav = await readFile(join(dir.path, 'short.wav'));
    const cases: [string, Buffer, string, string | undefined, RegExp][] = [
      ['corrupt', Buffer.concat([wav.subarray(0, 44), Buffer.alloc(4000, 0x7f), Buffer.from('garbage')]).subarray(0, 3000), 'audio/wav', undefined, /damaged|not an audio|empty/],
      ['text', Buffer.from('this is not music at all\n'.repeat(200)), 'audio/mpeg', undefined, /not an audio file|no audio/],
      ['checksum', wav, 'audio/wav', 'f'.repeat(64), /checksum/],
    ];
    for (const [, body, type, sha, reason] of cases) {
      const t = await upload(body, type, sha);
      await settled(t.id);
      const d = await details(t.id);
      expect(d?.status).toBe('FAILED');
      expect(d?.failureReason).toMatch(reason);
      expect(await veza.veza.platform.services.store.list(`tracks/${t.id}/`)).toEqual([]);
    }
    // Refused before anything is stored: a declared size over the limit.
    expect(codeOf(await request(veza.url, RequestUploadDocument, { input: { title: 'Huge', contentType: 'audio/wav', byteSize: 2 * 1024 ** 3 } }, owner.token))).toBe('BAD_USER_INPUT');
  });
});
