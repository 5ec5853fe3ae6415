/**
 * The worker's scratch folder. Each job works in `<id>-<pid>` and removes it when done;
 * a worker killed mid-job cannot, so a starting worker removes the folders of processes
 * that no longer exist (on this machine: in a container, the folder goes with it anyway).
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** The folder of job `id` in this process. */
export const scratchDir = (workDir: string, id: string): string => join(workDir, `${id}-${process.pid}`);

/** Removes the job folders of dead processes; returns their names. */
export async function sweepScratch(workDir: string): Promise<string[]> {
  const entries = await readdir(workDir, { withFileTypes: true }).catch(() => []);
  const removed: string[] = [];
  for (const e of entries) {
    const pid = Number(/-(\d+)$/.exec(e.name)?.[1]);
    if (!e.isDirectory() || !Number.isInteger(pid) || pid <= 0 || alive(pid)) continue;
    await rm(join(workDir, e.name), { recursive: true, force: true });
    removed.push(e.name);
  }
  return removed;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, and is someone else's.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
