/**
 * The worker's audio features, measured with the real ffmpeg on generated audio of known
 * content: a metronome's tempo within ±3 BPM (and no tempo where there is no pulse); a
 * spectral centroid that sits on a pure tone's frequency, rises with brightness, and a
 * flatness that tells a tone from noise.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../tests/support/index.ts';
import { makeClickTrack, makeWav } from '../../tests/media/fixtures.ts';
import { measureAudio } from './measure.ts';
import { spectralSummary } from './spectral.ts';

const exec = promisify(execFile);

/** `seconds` of a lavfi source, as a stereo WAV. */
async function generate(path: string, source: string, seconds: number): Promise<string> {
  await exec('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', source, '-t', String(seconds), '-ac', '2', '-c:a', 'pcm_s16le', path]);
  return path;
}

describe('audio features', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await dir?.remove();
  });

  it.each([120, 90, 140])('finds the tempo of a %i BPM metronome within 3 BPM', async (bpm) => {
    const path = join(dir.path, `click-${bpm}.wav`);
    await makeClickTrack(path, bpm, 30);
    const { tempo } = await measureAudio(path, 30);
    expect(tempo.bpm).not.toBeNull();
    expect(Math.abs(tempo.bpm! - bpm)).toBeLessThanOrEqual(3);
    expect(tempo.confidence).toBeGreaterThan(0.5);
  });

  it('finds no tempo in a steady tone with noise, nor in noise alone', async () => {
    const drone = join(dir.path, 'drone.wav');
    await makeWav(drone, 30);
    const noise = await generate(join(dir.path, 'noise.wav'), 'anoisesrc=a=0.3', 30);
    for (const path of [drone, noise]) expect((await measureAudio(path, 30)).tempo.bpm).toBeNull();
  });

  it('puts the centroid of a pure tone on its frequency, and a tone below noise in flatness', async () => {
    const tone = await spectralSummary(await generate(join(dir.path, 'tone.wav'), 'sine=frequency=1000:sample_rate=44100', 10));
    const noise = await spectralSummary(await generate(join(dir.path, 'white.wav'), 'anoisesrc=a=0.3:sample_rate=44100', 10));
    expect(Math.abs(tone!.centroidHz - 1000)).toBeLessThan(100);
    expect(tone!.flatness).toBeLessThan(0.1);
    expect(noise!.flatness).toBeGreaterThan(0.5);
  });

  it('reads a brighter sound as a higher centroid and rolloff', async () => {
    const dark = await spectralSummary(await generate(join(dir.path, 'dark.wav'), 'anoisesrc=a=0.3:sample_rate=44100,lowpass=f=1000,lowpass=f=1000', 10));
    const bright = await spectralSummary(await generate(join(dir.path, 'bright.wav'), 'anoisesrc=a=0.3:sample_rate=44100,highpass=f=3000', 10));
    expect(bright!.centroidHz).toBeGreaterThan(dark!.centroidHz * 2);
    expect(bright!.rolloffHz).toBeGreaterThan(dark!.rolloffHz);
  });
});
