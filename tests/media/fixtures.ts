/** Audio files for media tests, generated with the real ffmpeg. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** A stereo 44.1 kHz WAV of `seconds`: a tone with a little noise, quiet enough that normalising changes it. */
export async function makeWav(path: string, seconds: number): Promise<void> {
  await exec('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `sine=frequency=220:duration=${seconds}:sample_rate=44100`,
    '-f', 'lavfi', '-i', `anoisesrc=duration=${seconds}:amplitude=0.02:sample_rate=44100`,
    '-filter_complex', '[0][1]amix=inputs=2:weights=1 1,volume=0.3,aformat=channel_layouts=stereo',
    '-c:a', 'pcm_s16le', path,
  ]);
}

/** A stereo 44.1 kHz WAV of `seconds`: a metronome at `bpm`, each click a 1.5 kHz blip decaying in ~20 ms. */
export async function makeClickTrack(path: string, bpm: number, seconds: number): Promise<void> {
  const period = 60 / bpm;
  await exec('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `aevalsrc='if(lt(mod(t,${period}),0.02),0.8*sin(2*PI*1500*t)*exp(-mod(t,${period})*200),0)':s=44100:d=${seconds}`,
    '-ac', '2', '-c:a', 'pcm_s16le', path,
  ]);
}

/** Integrated loudness of a file (LUFS), measured by ffmpeg. */
export async function integratedLoudness(pathOrUrl: string): Promise<number> {
  const { stderr } = await exec('ffmpeg', ['-hide_banner', '-nostats', '-i', pathOrUrl, '-af', 'loudnorm=print_format=json', '-f', 'null', '-']);
  const json = stderr.slice(stderr.lastIndexOf('{'), stderr.lastIndexOf('}') + 1);
  return Number((JSON.parse(json) as { input_i: string }).input_i);
}
