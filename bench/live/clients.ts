/**
 * A client load process of benchmark R: opens subscribed WebSocket connections, all from
 * one source address, and records what arrives. Raw clients send `{"channel":…}` to the
 * raw server; Veza clients speak graphql-transport-ws directly on `ws` (like
 * tests/support/live-client.ts), which keeps thousands of them cheap. Controlled by the
 * bench over IPC (see ipc.ts); every connection attempt has a deadline.
 *
 * Only messages of the current phase count; within it, each connection counts a sequence
 * number once (a second copy is a duplicate) and notes its latency: receive time minus the
 * send time in the message.
 */
import WebSocket from 'ws';
import { collectNow, serve } from './ipc.ts';
import { displayNameOf, MESSAGE_ADDED, now, parseMark, type Mark } from './marks.ts';

export type System = 'raw' | 'veza';

export interface ConnSpec {
  /** Raw: the channel name; Veza: the channel id. */
  room: string;
  roomIndex: number;
  /** Veza: the user's access token. */
  token?: string | undefined;
}

export interface ConnectRequest {
  system: System;
  /** WebSocket URLs; connection `firstIndex + j` goes to endpoint `(firstIndex + j) % length`. */
  endpoints: string[];
  firstIndex: number;
  /** Source addresses; connection j binds `localAddresses[j % length]`. */
  localAddresses: string[];
  conns: ConnSpec[];
  /** Connection attempts in flight at once. */
  concurrency: number;
}

export interface PhaseStats {
  received: number;
  duplicates: number;
  /** Messages of another room than the connection's: a routing error. */
  foreign: number;
  /** Messages of an earlier phase that arrived late. */
  stale: number;
  /** Veza: `error`/`complete` messages or results with errors; subscriptions they ended stop counting as open. */
  errors: number;
  /** Veza: events whose author is not the user who sent them. */
  authorMismatch: number;
  /** Connections that got at least one message of the phase. */
  reached: number;
  open: number;
  latencies: Float64Array;
  /** By sequence number: copies delivered and the latest arrival (ms after sending). */
  perSeq: Map<number, { count: number; last: number }>;
  /** When the phase was recorded: each connection's sequence numbers in arrival order. */
  orders?: number[][];
}

export type ClientsApi = {
  connect: { req: ConnectRequest; res: { connected: number; failed: number; reasons: string[]; ms: number } };
  phase: { req: { phase: number; record: boolean }; res: null };
  progress: { req: null; res: { received: number; reached: number; open: number; endings: [string, number][] } };
  report: { req: null; res: PhaseStats };
  close: { req: null; res: null };
};

const CONNECT_TIMEOUT_MS = 30_000;

interface Conn {
  /** Its place in the connect request, so recorded orders line up with the specs. */
  index: number;
  ws: WebSocket;
  spec: ConnSpec;
  live: boolean;
  seen: Set<number> | undefined;
  order: number[] | undefined;
}

const conns: Conn[] = [];
/** How many connections the connect request asked for. */
let requested = 0;
let phase = -1;
let record = false;
let stats = emptyStats();
let latencies = new Float64Array(1 << 16);

/** Why subscriptions that were open ended (close codes, error messages), with counts. */
const endings = new Map<string, number>();
function ended(why: string): void {
  if (endings.size < 20 || endings.has(why)) endings.set(why, (endings.get(why) ?? 0) + 1);
}

function emptyStats(): Omit<PhaseStats, 'latencies' | 'open' | 'orders'> {
  return { received: 0, duplicates: 0, foreign: 0, stale: 0, errors: 0, authorMismatch: 0, reached: 0, perSeq: new Map() };
}

function deliver(c: Conn, mark: Mark, receivedAt: number, author: string | undefined): void {
  if (mark.phase !== phase) {
    stats.stale++;
    return;
  }
  if (mark.room !== c.spec.roomIndex) stats.foreign++;
  if (author !== undefined && author !== displayNameOf(mark.sender)) stats.authorMismatch++;
  c.seen ??= new Set();
  if (c.seen.has(mark.seq)) {
    stats.duplicates++;
    return;
  }
  if (c.seen.size === 0) stats.reached++;
  c.seen.add(mark.seq);
  if (record) (c.order ??= []).push(mark.seq);
  const latency = receivedAt - mark.sentAt;
  if (stats.received === latencies.length) {
    const grown = new Float64Array(latencies.length * 2);
    grown.set(latencies);
    latencies = grown;
  }
  latencies[stats.received++] = latency;
  const s = stats.perSeq.get(mark.seq);
  if (s) {
    s.count++;
    if (latency > s.last) s.last = latency;
  } else stats.perSeq.set(mark.seq, { count: 1, last: latency });
}

type VezaFrame = {
  type: string;
  payload?: { data?: { messageAdded?: { body: string; author: { displayName: string } | null } } | null; errors?: unknown[] };
};

function onFrame(c: Conn, system: System, text: string): void {
  const at = now();
  if (system === 'raw') {
    const mark = parseMark(text);
    if (mark) deliver(c, mark, at, undefined);
    return;
  }
  const frame = JSON.parse(text) as VezaFrame;
  if (frame.type !== 'next') {
    if (frame.type === 'error' || frame.type === 'complete') {
      stats.errors++;
      c.live = false;
      ended(`${frame.type} ${JSON.stringify(frame.payload ?? null).slice(0, 160)}`);
    }
    return;
  }
  const added = frame.payload?.data?.messageAdded;
  if (frame.payload?.errors?.length || !added) {
    stats.errors++;
    ended(`next with errors ${JSON.stringify(frame.payload?.errors ?? null).slice(0, 160)}`);
    return;
  }
  const mark = parseMark(added.body);
  if (mark) deliver(c, mark, at, added.author?.displayName ?? '');
}

/** Opens one connection and subscribes; resolves once the subscription is sent (Veza) or acknowledged (raw). */
function open(req: ConnectRequest, index: number, url: string): Promise<void> {
  const spec = req.conns[index]!;
  const localAddress = req.localAddresses[index % req.localAddresses.length]!;
  return new Promise((resolve, reject) => {
    // A load generator's client: no compression offered (neither server takes it), no UTF-8 check of what arrives.
    const ws = new WebSocket(url, req.system === 'veza' ? 'graphql-transport-ws' : undefined, { localAddress, perMessageDeflate: false, skipUTF8Validation: true });
    const c: Conn = { index, ws, spec, live: false, seen: undefined, order: undefined };
    const timer = setTimeout(() => fail('timed out'), CONNECT_TIMEOUT_MS);
    let settled = false;
    function fail(reason: string): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.terminate();
      reject(new Error(reason));
    }
    function done(): void {
      settled = true;
      clearTimeout(timer);
      c.live = true;
      conns.push(c);
      resolve();
    }
    ws.once('open', () => {
      if (req.system === 'raw') ws.send(JSON.stringify({ channel: spec.room }));
      else ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${spec.token ?? ''}` } }));
    });
    ws.on('message', (data: Buffer) => {
      const text = data.toString();
      if (settled) return onFrame(c, req.system, text);
      if (req.system === 'raw' && text.startsWith('{"subscribed"')) return done();
      if (req.system === 'veza' && text.includes('"connection_ack"')) {
        ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: MESSAGE_ADDED, variables: { c: spec.room } } }));
        return done();
      }
      fail(`unexpected first message ${text.slice(0, 120)}`);
    });
    ws.on('error', (err) => fail(err.message));
    ws.once('close', (code, reason) => {
      if (settled && c.live) ended(`closed ${code} ${reason.toString()}`.trim());
      c.live = false;
      fail(`closed ${code} ${reason.toString()}`);
    });
  });
}

serve<ClientsApi>({
  connect: async (req) => {
    if (conns.length) throw new Error('this client process is already connected');
    requested = req.conns.length;
    const started = now();
    let next = 0;
    let failed = 0;
    const reasons = new Set<string>();
    const worker = async () => {
      while (next < req.conns.length) {
        const j = next++;
        const url = req.endpoints[(req.firstIndex + j) % req.endpoints.length]!;
        await open(req, j, url).catch((err: unknown) => {
          failed++;
          if (reasons.size < 5) reasons.add(err instanceof Error ? err.message : String(err));
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(req.concurrency, req.conns.length) }, worker));
    return { connected: req.conns.length - failed, failed, reasons: [...reasons], ms: now() - started };
  },
  phase: async (req) => {
    phase = req.phase;
    record = req.record;
    stats = emptyStats();
    for (const c of conns) {
      c.seen = undefined;
      c.order = undefined;
    }
    // Garbage collected now, before anything is sent (LOAD_PROCESS_NODE_ARGS in ipc.ts).
    collectNow();
    return null;
  },
  progress: async () => ({ received: stats.received, reached: stats.reached, open: openCount(), endings: [...endings] }),
  report: async () => ({
    ...stats,
    open: openCount(),
    latencies: latencies.slice(0, stats.received),
    ...(record ? { orders: recordedOrders() } : {}),
  }),
  close: async () => {
    for (const c of conns) {
      c.live = false;
      c.ws.terminate();
    }
    conns.length = 0;
    return null;
  },
});

function recordedOrders(): number[][] {
  const orders = Array.from({ length: requested }, (): number[] => []);
  for (const c of conns) orders[c.index] = c.order ?? [];
  return orders;
}

function openCount(): number {
  let n = 0;
  for (const c of conns) if (c.live && c.ws.readyState === WebSocket.OPEN) n++;
  return n;
}
