/**
 * Effect renders through the gateway, the job queue, the worker and the object store: the
 * owner renders a 120 BPM metronome 1.25× faster and an octave up; the MP3 it gets is
 * 1/1.25 as long, at 150 BPM, its spectrum's centre twice as high. An EQ preset's render
 * of a steady tone is normalised to −14 LUFS (a metronome's clicks cannot be: their peaks
 * hit the −1 dBTP ceiling long before). The same chain again is the same render; others
 * may neither render nor see renders; chains out of range or changing nothing are refused.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, dataOf, request, signUpUser, startTestVeza, tempDir, type TestUser, type TestVeza } from '../support/index.ts';
import { CompleteUploadDocument, RenderEffectDocument, RequestUploadDocument, TrackEffectsDocument } from '../generated/graphql.ts';
import { integratedLoudness, makeClickTrack, makeWav } from './fixtures.ts';
import { ProcessingWatch } from './processing.ts';
import { measureAudio } from '../../worker/pipeline/measure.ts';
import { spectralSummary } from '../../worker/pipeline/spectral.ts';
import { probeAudio } from '../../worker/pipeline/probe.ts';

describe('effect renders', () => {
  let veza: TestVeza;
  let owner: TestUser;
  let dir: { path: string; remove: () => Promise<void> };
  let trackId: string;
  let droneId: string;

  /** Uploads `path` and waits until every rendition is made. */
  async function processed(path: string, title: string): Promise<string> {
    const body = await readFile(path);
    const up = dataOf(await request(veza.url, RequestUploadDocument, { input: { title, contentType: 'audio/wav', byteSize: body.length } }, owner.token)).requestTrackUpload;
    await fetch(up.uploadUrl, { method: 'PUT', body: new Uint8Array(body), headers: { 'content-type': 'audio/wav' } });
    dataOf(await request(veza.url, CompleteUploadDocument, { trackId: up.track.id, sha256: createHash('sha256').update(body).digest('hex') }, owner.token));
    const watch = await ProcessingWatch.start(veza.url, owner.token, up.track.id);
    await watch.ended();
    watch.close();
    return up.track.id;
  }

  beforeAll(async () => {
    veza = await startTestVeza('production');
    owner = await signUpUser(veza.url, 'Remixer');
    dir = await tempDir();
    await makeClickTrack(join(dir.path, 'clicks.wav'), 120, 20);
    await makeWav(join(dir.path, 'drone.wav'), 10);
    trackId = await processed(join(dir.path, 'clicks.wav'), 'Metronome');
    droneId = await processed(join(dir.path, 'drone.wav'), 'Drone');
  });
  afterAll(async () => {
    await veza?.stop();
    await dir?.remove();
  });

  const renders = async (who: TestUser = owner, id = trackId) => dataOf(await request(veza.url, TrackEffectsDocument, { id }, who.token)).track!;
  /** The render `id` of track `of`, once it is READY or FAILED. */
  async function settled(of: string, id: string) {
    await expect.poll(async () => (await renders(owner, of)).effectRenders.find((r) => r.id === id)?.status, { timeout: 60_000, interval: 250 }).toMatch(/READY|FAILED/);
    return (await renders(owner, of)).effectRenders.find((r) => r.id === id)!;
  }

  it('renders a faster, higher version as an MP3', async () => {
    const asked = dataOf(await request(veza.url, RenderEffectDocument, { trackId, effect: { tempo: 1.25, pitchSemitones: 12 } }, owner.token)).renderTrackEffect;
    expect(asked).toMatchObject({ tempo: 1.25, pitchSemitones: 12, eqPreset: 'FLAT', status: 'PENDING' });
    const render = await settled(trackId, asked.id);
    const track = await renders();
    expect(render.status).toBe('READY');
    expect(render.durationSeconds).toBeCloseTo(20 / 1.25, 0);

    const mp3 = join(dir.path, 'render.mp3');
    await writeFile(mp3, Buffer.from(await (await fetch(render.url!)).arrayBuffer()));
    const duration = (await probeAudio(mp3)).durationSeconds;
    const { tempo } = await measureAudio(mp3, duration);
    expect(Math.abs(tempo.bpm! - 150)).toBeLessThanOrEqual(3);
    // An octave up: the clicks' 1.5 kHz becomes 3 kHz.
    const centroid = (await spectralSummary(mp3))!.centroidHz;
    expect(centroid / track.audioFeatures!.spectralCentroidHz!).toBeGreaterThan(1.6);
    expect(centroid / track.audioFeatures!.spectralCentroidHz!).toBeLessThan(2.4);

    // Asking again for the same chain is the same render.
    const again = dataOf(await request(veza.url, RenderEffectDocument, { trackId, effect: { pitchSemitones: 12, tempo: 1.25, eqPreset: 'FLAT' } }, owner.token)).renderTrackEffect;
    expect(again.id).toBe(asked.id);
  });

  it('renders an EQ preset, normalised to −14 LUFS', async () => {
    const asked = dataOf(await request(veza.url, RenderEffectDocument, { trackId: droneId, effect: { eqPreset: 'BASS_BOOST' } }, owner.token)).renderTrackEffect;
    const render = await settled(droneId, asked.id);
    expect(render).toMatchObject({ status: 'READY', eqPreset: 'BASS_BOOST', tempo: 1, pitchSemitones: 0 });
    expect(render.durationSeconds).toBeCloseTo(10, 0);
    const mp3 = join(dir.path, 'bass.mp3');
    await writeFile(mp3, Buffer.from(await (await fetch(render.url!)).arrayBuffer()));
    expect(Math.abs((await integratedLoudness(mp3)) - -14)).toBeLessThanOrEqual(1);
  });

  it('is for the owner only, and refuses chains out of range or changing nothing', async () => {
    const other = await signUpUser(veza.url, 'Bystander');
    expect(codeOf(await request(veza.url, RenderEffectDocument, { trackId, effect: { tempo: 1.5 } }, other.token))).toBe('FORBIDDEN');
    expect(codeOf(await request(veza.url, RenderEffectDocument, { trackId, effect: { tempo: 1.5 } }))).toBe('UNAUTHENTICATED');
    expect((await renders(other)).effectRenders).toEqual([]);
    for (const effect of [{ tempo: 3 }, { tempo: 0.2 }, { pitchSemitones: 13 }, {}, { tempo: 1, pitchSemitones: 0, eqPreset: 'FLAT' as const }]) {
      expect(codeOf(await request(veza.url, RenderEffectDocument, { trackId, effect }, owner.token))).toBe('BAD_USER_INPUT');
    }
  });
});
