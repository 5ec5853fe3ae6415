import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Registry } from 'prom-client';
import { GRAPHQL_TRANSPORT_WS_PROTOCOL } from 'graphql-ws';
import { createLogger } from '../../platform/logger.ts';
import { createSubscriptionMetrics } from './metrics.ts';
import type { SubscriptionLayer } from './layer.ts';
import { SubscriptionServer } from './server.ts';

/** The keep-alive interval of these tests, ms. */
const KEEP_ALIVE_MS = 500;

/** A gateway's WebSocket side with a layer that accepts every subscription and sends nothing. */
async function startServer(): Promise<{ url: string; server: SubscriptionServer; http: Server }> {
  const layer = { subscribe: () => () => {} } as unknown as SubscriptionLayer;
  const server = new SubscriptionServer({
    layer,
    authenticate: () => Promise.resolve({ ok: true, identity: { userId: 'user-1', sessionId: null }, expiresAt: null }),
    metrics: createSubscriptionMetrics(new Registry()),
    logger: createLogger('silent'),
    keepAliveMs: KEEP_ALIVE_MS,
    connectionInitWaitMs: 10_000,
  });
  const http = createServer();
  server.attach(http, '/graphql');
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`, server, http };
}

/** A client that has sent `connection_init` and received the ack. */
async function connect(url: string, opts: { autoPong: boolean }): Promise<WebSocket & { pings: number }> {
  const ws = Object.assign(new WebSocket(url, GRAPHQL_TRANSPORT_WS_PROTOCOL, { autoPong: opts.autoPong }), { pings: 0 });
  ws.on('ping', () => (ws.pings += 1));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => ws.send(JSON.stringify({ type: 'connection_init' })));
    ws.once('message', (data: Buffer) => (String(data).includes('connection_ack') ? resolve() : reject(new Error(String(data)))));
    ws.once('error', reject);
  });
  return ws;
}

const closed = (ws: WebSocket) => new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));

describe('SubscriptionServer keep-alive', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it('pings a silent client and drops it when it does not answer; keeps one that answers, and one that keeps talking without answering', async () => {
    const { url, server, http } = await startServer();
    stop = async () => {
      await server.close(100);
      await new Promise((resolve) => http.close(resolve));
    };
    const answering = await connect(url, { autoPong: true });
    // Never answers a WebSocket ping, but keeps sending graphql-ws pings, one after each pong
    // message it gets: a client that talks needs no ping to show it is there.
    const talking = await connect(url, { autoPong: false });
    talking.on('message', (data: Buffer) => {
      if (String(data).includes('"pong"')) setImmediate(() => talking.send(JSON.stringify({ type: 'ping' })));
    });
    talking.send(JSON.stringify({ type: 'ping' }));
    const silent = await connect(url, { autoPong: false });
    const silentClosed = closed(silent);

    // Abnormal closure: the gateway terminated the socket without a closing handshake.
    expect(await silentClosed).toBe(1006);
    expect(silent.pings).toBeGreaterThanOrEqual(1);
    await new Promise<void>((resolve) => {
      if (answering.pings >= 3) return resolve();
      answering.on('ping', () => answering.pings >= 3 && resolve());
    });
    expect(answering.readyState).toBe(WebSocket.OPEN);
    expect(talking.readyState).toBe(WebSocket.OPEN);
    expect(server.connectionCount).toBe(2);
    answering.close();
    talking.close();
  });
});
