/**
 * R4 resume (BENCHMARKS.md), Veza alone — the raw baseline has no positions and no
 * replay: one client is cut off during a burst of 1,000 messages, reconnects with
 * `afterPosition` = the last position it saw, and must end with every message once.
 * The burst comes from 200 users (5 each), under chat's default flood limit.
 */
import { fileURLToPath } from 'node:url';
import { nextPhase, type Scene, type Target } from './drive.ts';
import { forkWorker } from './ipc.ts';
import type { ResumeApi } from './resume-client.ts';

export interface ResumeResult {
  sent: number;
  failedSends: number;
  /** Messages sent before the reconnect that the first connection never got. */
  missed: number;
  /** From the reconnect until every message sent before it had arrived. */
  catchUpMs: number;
  /** From the reconnect until the first message on the new connection. */
  firstMs: number;
  lost: number;
  duplicates: number;
  outOfOrder: number;
  errors: string[];
}

const script = fileURLToPath(new URL('./resume-client.ts', import.meta.url));

export async function measureResume(target: Target, scene: Scene, opts: { burst: number; dropAfter: number; offlineMs: number }): Promise<ResumeResult> {
  const client = forkWorker<ResumeApi>(script);
  const room = scene.rooms[0]!;
  const publish = (phase: number, count: number, maxInFlight: number) =>
    target.publisher.request('publish', { system: 'veza', via: 'send', target: target.publishTo, prefix: target.prefix, phase, rooms: [room], rate: 0, count, maxInFlight }, 120_000);
  const until = async (done: () => Promise<boolean>, ms: number) => {
    const deadline = performance.now() + ms;
    while (performance.now() < deadline && !(await done())) await new Promise((r) => setTimeout(r, 50));
  };
  try {
    await client.request('connect', { url: target.endpoints[0]!, token: scene.conns[0]!.token ?? '', channel: room.key });
    // Live before the burst: probes until one arrives.
    for (let i = 0; i < 20; i++) {
      const phase = nextPhase();
      await client.request('arm', { phase, dropAfter: Infinity, offlineMs: 0 });
      await publish(phase, 1, 1);
      await until(async () => (await client.request('progress', null)).received > 0, 1_000);
      if ((await client.request('progress', null)).received > 0) break;
    }
    const phase = nextPhase();
    await client.request('arm', { phase, dropAfter: opts.dropAfter, offlineMs: opts.offlineMs });
    const sent = await publish(phase, opts.burst, 16);
    let last = -1;
    let quietSince = performance.now();
    await until(async () => {
      const { received } = await client.request('progress', null);
      if (received !== last) [last, quietSince] = [received, performance.now()];
      return received >= sent.sent.length || performance.now() - quietSince > 5_000;
    }, 60_000);
    const r = await client.request('report', null);
    const beforeReconnect = [...sent.sent].filter((_, i) => sent.sentAt[i]! < r.reconnectAt);
    const onFirst = [...r.arrivals.values()].filter((at) => at <= r.droppedAt).length;
    const caughtUp = beforeReconnect.every((seq) => r.arrivals.has(seq)) ? Math.max(...beforeReconnect.map((seq) => r.arrivals.get(seq)!)) : Number.NaN;
    return {
      sent: sent.sent.length,
      failedSends: sent.failed,
      missed: beforeReconnect.length - onFirst,
      catchUpMs: caughtUp - r.reconnectAt,
      firstMs: r.firstAfterReconnectAt - r.reconnectAt,
      lost: sent.sent.length - r.arrivals.size,
      duplicates: r.duplicates,
      outOfOrder: r.outOfOrder,
      errors: [...r.errors, ...sent.errors],
    };
  } finally {
    await client.stop();
  }
}
