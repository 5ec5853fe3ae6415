/** The benchmarks' generated track: 3 minutes of stereo 44.1 kHz (a tone and noise), as WAV and as a 320 kbit/s MP3. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export async function makeBenchWav(path: string, seconds = 180): Promise<void> {
  await exec('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=220:duration=${seconds}:sample_rate=44100`, '-f', 'lavfi', '-i', `anoisesrc=duration=${seconds}:amplitude=0.05:sample_rate=44100`,
    '-filter_complex', '[0][1]amix=inputs=2,volume=0.3,aformat=channel_layouts=stereo', '-c:a', 'pcm_s16le', path]);
}

export async function makeBenchMp3(wav: string, path: string): Promise<void> {
  await exec('ffmpeg', ['-v', 'error', '-y', '-i', wav, '-c:a', 'libmp3lame', '-b:a', '320k', path]);
}
