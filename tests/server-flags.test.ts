/**
 * Rule: the servers' Node flags — package.json's start scripts, which the k8s manifests run
 * (tests/k8s.test.ts) and the benches read (`productionNodeFlags`) — fix the young
 * generation at 32 MB per semi-space from start-up, so V8 never resizes it under load.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { productionNodeFlags } from '../bench/support.ts';

describe("the servers' Node flags", () => {
  it('fix the young generation at 32 MB per semi-space, from start-up', () => {
    for (const script of ['start:gateway', 'start:subgraph'] as const) {
      // Node refuses a flag it does not know, so this also fails on a misspelt one.
      const newSpace = execFileSync(process.execPath, [...productionNodeFlags(script), '-e', "process.stdout.write(String(require('node:v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size))"], { encoding: 'utf8' });
      expect({ script, newSpace: Number(newSpace) }).toEqual({ script, newSpace: 32 * 1024 * 1024 });
    }
  });
});
