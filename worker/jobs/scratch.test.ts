/** Rule: a starting worker removes the scratch folders of dead workers, and only theirs. */
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../tests/support/index.ts';
import { scratchDir, sweepScratch } from './scratch.ts';

describe('scratch folders', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await dir?.remove();
  });

  it('removes the folders of processes that have exited, keeps those of live ones and anything else', async () => {
    // A process that has come and gone: its pid is free (until the system reuses it).
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const ofDead = join(dir.path, `0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee-${dead}`);
    await mkdir(join(ofDead, 'out'), { recursive: true });
    await writeFile(join(ofDead, 'original'), 'half a download');
    const mine = scratchDir(dir.path, 'effect-0190aaaa-bbbb-7ccc-8ddd-ffffffffffff');
    await mkdir(mine);
    await mkdir(join(dir.path, 'not-a-job'));
    expect(await sweepScratch(dir.path)).toEqual([`0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee-${dead}`]);
    expect((await readdir(dir.path)).sort()).toEqual([`effect-0190aaaa-bbbb-7ccc-8ddd-ffffffffffff-${process.pid}`, 'not-a-job'].sort());
  });

  it('is content with a scratch folder that does not exist yet', async () => {
    expect(await sweepScratch(join(dir.path, 'absent'))).toEqual([]);
  });
});
