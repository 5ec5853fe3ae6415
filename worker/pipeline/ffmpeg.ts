/** Runs ffmpeg / ffprobe as child processes: arguments as arrays (no shell), stderr kept for errors. */
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';

export class FfmpegError extends Error {
  override name = 'FfmpegError';
  readonly stderr: string;
  constructor(message: string, stderr: string) {
    super(message);
    this.stderr = stderr;
  }
}

export interface RunOptions {
  /** Called with the position reached (seconds of output), from ffmpeg's `-progress` stream. */
  onProgress?: (seconds: number) => void;
  /** Called with stdout chunks instead of collecting them. */
  onStdout?: (chunk: Buffer) => void;
  /**
   * Scheduling niceness (0 normal … 19 lowest). Work nobody waits for runs nicer, so it
   * takes the cores that urgent work leaves idle. Default 0.
   */
  niceness?: number;
}

export function run(command: 'ffmpeg' | 'ffprobe', args: string[], opts: RunOptions = {}): Promise<{ stdout: string; stderr: string }> {
  const fullArgs = command === 'ffmpeg' && opts.onProgress ? ['-progress', 'pipe:2', '-nostats', ...args] : args;
  const child = spawn(command, fullArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  if (opts.niceness && child.pid !== undefined) {
    try {
      setPriority(child.pid, opts.niceness);
    } catch {
      // Not allowed here, or the process already ended: it runs at normal priority.
    }
  }
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (d: Buffer) => (opts.onStdout ? opts.onStdout(d) : out.push(d)));
  child.stderr.on('data', (d: Buffer) => {
    const text = d.toString();
    err += text;
    if (err.length > 200_000) err = err.slice(-100_000);
    if (opts.onProgress) {
      for (const m of text.matchAll(/out_time_us=(\d+)/g)) opts.onProgress(Number(m[1]) / 1e6);
    }
  });
  return new Promise((resolve, reject) => {
    child.once('error', (e) => reject(new FfmpegError(`${command} could not start: ${e.message}`, '')));
    child.once('close', (code) => {
      if (code === 0) resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: err });
      else reject(new FfmpegError(`${command} exited with ${code}: ${lastLines(err)}`, err));
    });
  });
}

function lastLines(text: string): string {
  return text.trim().split('\n').filter((l) => !/^\w+=/.test(l)).slice(-3).join(' | ');
}
