/**
 * Rule: benchmark R's turns (bench/live/turns.ts) stop the other system's server processes
 * for exactly the measurement, continue them however it ends, and count the time stopped
 * for that system only. Real child processes, their state read from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { Turns } from '../bench/live/turns.ts';

/** The process's state letter in /proc/<pid>/stat: `T` once it is stopped. */
async function stateOf(pid: number): Promise<string> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

const children: ChildProcess[] = [];
function idleProcess(): number {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  return child.pid!;
}

afterEach(() => {
  for (const child of children.splice(0)) {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  }
});

describe('Turns', () => {
  it("stops the other system's servers during the measurement, and only those", async () => {
    const raw = idleProcess();
    const veza = idleProcess();
    const turns = new Turns((system) => (system === 'raw' ? [raw] : [veza]));
    // A signal takes effect when the kernel next schedules the process, so the state is polled.
    const rawDuring = await turns.alone('raw', async () => {
      await expect.poll(() => stateOf(veza)).toBe('T');
      return stateOf(raw);
    });
    expect(rawDuring).not.toBe('T');
    await expect.poll(() => stateOf(veza)).not.toBe('T');
  });

  it('continues them when the measurement fails', async () => {
    const raw = idleProcess();
    const veza = idleProcess();
    const turns = new Turns((system) => (system === 'raw' ? [raw] : [veza]));
    const failing = async () => {
      await expect.poll(() => stateOf(raw)).toBe('T');
      throw new Error('measurement failed');
    };
    await expect(turns.alone('veza', failing)).rejects.toThrow('measurement failed');
    await expect.poll(() => stateOf(raw)).not.toBe('T');
  });

  it('counts the time stopped for the stopped system, from when it is asked', async () => {
    const raw = idleProcess();
    const veza = idleProcess();
    const turns = new Turns((system) => (system === 'raw' ? [raw] : [veza]));
    const before = performance.now();
    let inside = 0;
    await turns.alone('raw', async () => {
      await stateOf(veza);
      inside = performance.now();
    });
    const after = performance.now();
    expect(turns.stoppedMsSince('veza', before)).toBeGreaterThan(0);
    expect(turns.stoppedMsSince('veza', before)).toBeLessThanOrEqual(after - before);
    expect(turns.stoppedMsSince('raw', before)).toBe(0);
    // Only the part after `since` counts.
    expect(turns.stoppedMsSince('veza', inside)).toBeLessThan(turns.stoppedMsSince('veza', before));
    expect(turns.stoppedMsSince('veza', after)).toBe(0);
  });

  it('passes over a process that is no longer there', async () => {
    // A PID above the kernel's largest can belong to no process (a freed one could be reused).
    const pid = Number((await readFile('/proc/sys/kernel/pid_max', 'utf8')).trim()) + 1;
    const turns = new Turns((system) => (system === 'raw' ? [] : [pid]));
    await expect(turns.alone('raw', async () => 'measured')).resolves.toBe('measured');
  });
});
