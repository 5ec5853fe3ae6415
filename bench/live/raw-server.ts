/**
 * The baseline of benchmark R (BENCHMARKS.md), the physical limit of live delivery: a
 * plain `ws` server fed by Redis pub/sub. A client sends one frame, `{"channel":"<id>"}`;
 * the server SUBSCRIBEs that Redis channel on its first subscriber, answers
 * `{"subscribed":"<id>"}`, and forwards every message published there, bytes as they
 * came, to each socket of the channel. No authentication, no protocol, no per-event work.
 *
 * `node bench/live/raw-server.ts <port>`, with REDIS_URL and BENCH_LIVE_PREFIX (the Redis
 * channel prefix of this run). Prints `ready <port>` once it listens.
 */
import { Redis } from 'ioredis';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

const port = Number(process.argv[2]);
const prefix = process.env['BENCH_LIVE_PREFIX'] ?? 'bench-live:';
const redis = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
const channels = new Map<string, Set<WebSocket>>();

// Buffers, not strings: the message is framed for each socket without being decoded.
redis.on('messageBuffer', (channel: Buffer, message: Buffer) => {
  const sockets = channels.get(channel.toString().slice(prefix.length));
  if (!sockets) return;
  for (const ws of sockets) ws.send(message, { binary: false });
});

async function join(ws: WebSocket, channel: string): Promise<void> {
  let sockets = channels.get(channel);
  if (!sockets) {
    sockets = new Set();
    channels.set(channel, sockets);
    await redis.subscribe(prefix + channel);
  }
  sockets.add(ws);
  ws.once('close', () => {
    sockets.delete(ws);
    if (sockets.size === 0 && channels.get(channel) === sockets) {
      channels.delete(channel);
      void redis.unsubscribe(prefix + channel);
    }
  });
  ws.send(JSON.stringify({ subscribed: channel }));
}

const wss = new WebSocketServer({ host: '127.0.0.1', port });
wss.on('connection', (ws) => {
  ws.once('message', (data: RawData) => {
    const text = Array.isArray(data) ? Buffer.concat(data).toString() : Buffer.isBuffer(data) ? data.toString() : Buffer.from(data).toString();
    let channel: unknown;
    try {
      channel = (JSON.parse(text) as { channel?: unknown }).channel;
    } catch {
      channel = undefined;
    }
    if (typeof channel !== 'string') return ws.close(4400, 'send {"channel":"<id>"} first');
    join(ws, channel).catch(() => ws.close(1011, 'subscribe failed'));
  });
  ws.on('error', () => ws.terminate());
});
wss.once('listening', () => process.stdout.write(`ready ${port}\n`));
process.on('SIGTERM', () => process.exit(0));
