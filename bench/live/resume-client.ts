/**
 * R4's client load process: one Veza client subscribed to `messageAdded`. Armed, it drops
 * its connection (the socket cut, as a network loss does) when the `dropAfter`-th message
 * of the phase arrives, stays away `offlineMs`, reconnects and subscribes again with
 * `afterPosition` = the last position it saw. It records every message's arrival, so the
 * bench can tell how long catching up took and what was lost or came twice.
 */
import WebSocket from 'ws';
import { serve } from './ipc.ts';
import { MESSAGE_ADDED, now, parseMark } from './marks.ts';

export interface ResumeReport {
  /** Unique messages of the phase, by sequence number: arrival time. */
  arrivals: Map<number, number>;
  duplicates: number;
  /** Positions that did not follow the previous one in order. */
  outOfOrder: number;
  errors: string[];
  droppedAt: number;
  /** When the new connection was asked for, and when its first message came. */
  reconnectAt: number;
  firstAfterReconnectAt: number;
  lastPositionBeforeDrop: number;
}

export type ResumeApi = {
  connect: { req: { url: string; token: string; channel: string }; res: null };
  arm: { req: { phase: number; dropAfter: number; offlineMs: number }; res: null };
  progress: { req: null; res: { received: number } };
  report: { req: null; res: ResumeReport };
};

type Frame = { type: string; payload?: { data?: { messageAdded?: { body: string; position: number } } | null; errors?: { message: string }[] } };

let target = { url: '', token: '', channel: '' };
let socket: WebSocket | undefined;
let phase = -1;
let dropAfter = Infinity;
let offlineMs = 0;
let report: ResumeReport = fresh();
let lastPosition = 0;

function fresh(): ResumeReport {
  return { arrivals: new Map(), duplicates: 0, outOfOrder: 0, errors: [], droppedAt: Number.NaN, reconnectAt: Number.NaN, firstAfterReconnectAt: Number.NaN, lastPositionBeforeDrop: Number.NaN };
}

function onFrame(ws: WebSocket, text: string): void {
  if (ws !== socket) return;
  const at = now();
  const frame = JSON.parse(text) as Frame;
  if (frame.type === 'error' || frame.type === 'complete' || frame.payload?.errors) {
    report.errors.push(`${frame.type}: ${JSON.stringify(frame.payload ?? null).slice(0, 200)}`);
    return;
  }
  const added = frame.type === 'next' ? frame.payload?.data?.messageAdded : undefined;
  if (!added) return;
  if (added.position <= lastPosition) report.outOfOrder++;
  lastPosition = Math.max(lastPosition, added.position);
  const mark = parseMark(added.body);
  if (!mark || mark.phase !== phase) return;
  if (!Number.isNaN(report.reconnectAt) && Number.isNaN(report.firstAfterReconnectAt)) report.firstAfterReconnectAt = at;
  if (report.arrivals.has(mark.seq)) report.duplicates++;
  else report.arrivals.set(mark.seq, at);
  if (report.arrivals.size === dropAfter && Number.isNaN(report.droppedAt)) drop();
}

function drop(): void {
  report.droppedAt = now();
  report.lastPositionBeforeDrop = lastPosition;
  socket?.terminate();
  socket = undefined;
  setTimeout(() => {
    report.reconnectAt = now();
    void open(lastPosition).catch((err: unknown) => report.errors.push(`reconnect: ${String(err)}`));
  }, offlineMs);
}

/** Connects, completes the handshake and subscribes (from `after` when given). */
function open(after: number | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(target.url, 'graphql-transport-ws', { handshakeTimeout: 10_000 });
    socket = ws;
    const timer = setTimeout(() => reject(new Error('no connection_ack within 10 s')), 10_000);
    ws.once('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${target.token}` } })));
    ws.on('message', (data: Buffer) => {
      const text = data.toString();
      if (text.includes('"connection_ack"')) {
        clearTimeout(timer);
        const variables = after === null ? { c: target.channel } : { c: target.channel, after };
        ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: MESSAGE_ADDED, variables } }));
        return resolve();
      }
      onFrame(ws, text);
    });
    ws.on('error', (err) => reject(err));
  });
}

serve<ResumeApi>({
  connect: async (req) => {
    target = req;
    await open(null);
    return null;
  },
  arm: async (req) => {
    phase = req.phase;
    dropAfter = req.dropAfter;
    offlineMs = req.offlineMs;
    report = fresh();
    return null;
  },
  progress: async () => ({ received: report.arrivals.size }),
  report: async () => report,
});
