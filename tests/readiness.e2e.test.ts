/** Rule: /readyz reports unavailable while a subgraph cannot be reached, and /healthz stays up. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestVeza, type TestVeza } from './support/index.ts';

let veza: TestVeza;
beforeAll(async () => {
  veza = await startTestVeza('production');
});
afterAll(async () => {
  await veza?.stop();
});

it('reports a stopped subgraph as not ready', async () => {
  expect((await fetch(`${veza.base}/readyz`)).status).toBe(200);
  const social = veza.veza.subgraphs.find((s) => s.name === 'social')!;
  await social.http.close(0);
  const res = await fetch(`${veza.base}/readyz`);
  expect(res.status).toBe(503);
  expect(await res.json()).toMatchObject({ status: 'unavailable', checks: { social: false, community: true } });
  expect((await fetch(`${veza.base}/healthz`)).status).toBe(200);
});
