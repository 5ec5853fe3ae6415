/**
 * The client side of the gateway's subscriptions: the `graphql-transport-ws` protocol
 * (graphql-ws's PROTOCOL.md) on the gateway's `/graphql`, written directly on `ws` so the
 * gateway controls what a delivery costs: one serialisation per event shared by every
 * subscriber, and a bounded send buffer per connection.
 *
 * Close codes: the protocol's own (4400 bad message, 4401 subscribe before ack, 4403 bad
 * or expired token, 4408 no `connection_init` in time, 4409 duplicate subscription id,
 * 4429 a second `connection_init`, 4500 internal error), plus two standard WebSocket codes:
 * 1013 (try again later) for a client that reads too slowly — reconnect and resume from
 * the last position seen — and 1012 (service restart) when the gateway shuts down.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { CloseCode, GRAPHQL_TRANSPORT_WS_PROTOCOL, MessageType, parseMessage, type Message } from 'graphql-ws';
import type { GraphQLFormattedError } from 'graphql';
import type { GatewayIdentity } from '../../platform/auth/gateway-trust.ts';
import type { Logger } from '../../platform/logger.ts';
import type { SubscriptionLayer } from './layer.ts';
import type { SubscriptionMetrics } from './metrics.ts';

/** Standard WebSocket close codes the gateway uses beyond the protocol's. */
export const VezaCloseCode = {
  /** The client fell behind by more than the send buffer: reconnect and resume. */
  SlowConsumer: 1013,
  /** The gateway is restarting: reconnect (to another replica). */
  ServiceRestart: 1012,
} as const;

/** Who a connection belongs to, from its `connection_init` payload. */
export type Authenticate = (payload: Record<string, unknown> | undefined, req: IncomingMessage) => Promise<{ ok: true; identity: GatewayIdentity; expiresAt: number | null } | { ok: false; reason: string }>;

export interface SubscriptionServerOptions {
  layer: SubscriptionLayer;
  authenticate: Authenticate;
  metrics: SubscriptionMetrics;
  logger: Logger;
  /**
   * Time allowed between opening the socket and `connection_init`. Default 10 s: a gateway
   * busy accepting a reconnecting fleet may read a `connection_init` that came in time
   * seconds later, and closing then (4408) would send that client round again.
   */
  connectionInitWaitMs?: number;
  /**
   * How often the gateway looks at each socket: one that sent no message in the interval is
   * pinged, one whose pong has not come by the next look is dropped. Default 25 s.
   */
  keepAliveMs?: number;
  /** After its access token expires, a connection stays open this long (for the client to reconnect with a new one). Default 30 s. */
  expiryGraceMs?: number;
  /** Bytes a connection may have waiting to be sent before it is closed as a slow consumer. Default 1 MiB. */
  maxBufferedBytes?: number;
}

interface Connection {
  socket: WebSocket;
  req: IncomingMessage;
  initialised: boolean;
  acknowledged: boolean;
  /** The client sent a message since the keep-alive last looked. */
  heard: boolean;
  /** The keep-alive pinged it, and its pong has not come yet. */
  pinged: boolean;
  identity: GatewayIdentity | undefined;
  subscriptions: Map<string, () => void>;
  timers: NodeJS.Timeout[];
  closing: boolean;
}

export class SubscriptionServer {
  readonly #o: Required<SubscriptionServerOptions>;
  readonly #wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has(GRAPHQL_TRANSPORT_WS_PROTOCOL) ? GRAPHQL_TRANSPORT_WS_PROTOCOL : false) });
  readonly #connections = new Set<Connection>();
  readonly #keepAlive: NodeJS.Timeout;
  #accepting = true;

  constructor(opts: SubscriptionServerOptions) {
    this.#o = { connectionInitWaitMs: 10_000, keepAliveMs: 25_000, expiryGraceMs: 30_000, maxBufferedBytes: 1 << 20, ...opts };
    // Each connection is looked at once per `keepAliveMs`, a slice of them every second rather
    // than all at once: 15,000 pings in one turn of the loop would hold up every delivery.
    // Only a connection that sent no message in the interval is pinged (a message proves the
    // client is there as well as a pong): a ping costs each end a system call each way.
    const sliceMs = Math.min(1_000, this.#o.keepAliveMs);
    let sweep = this.#connections.values();
    this.#keepAlive = setInterval(() => {
      let due = Math.ceil((this.#connections.size * sliceMs) / this.#o.keepAliveMs);
      while (due-- > 0) {
        let next = sweep.next();
        if (next.done) {
          // A new round; a Set's iterator also visits what was added since it started.
          sweep = this.#connections.values();
          next = sweep.next();
          if (next.done) break;
        }
        const c = next.value;
        if (c.heard) {
          c.heard = false;
          c.pinged = false;
        } else if (c.pinged) {
          c.socket.terminate();
        } else {
          c.pinged = true;
          c.socket.ping();
        }
      }
    }, sliceMs);
    this.#keepAlive.unref();
  }

  /** Takes WebSocket upgrades for `path` on `server`. */
  attach(server: Server, path: string): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = (req.url ?? '/').split('?', 1)[0];
      if (url !== path || !this.#accepting) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\n\r\n');
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#open(ws, req));
    });
  }

  /** Open connections (for tests and metrics). */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /**
   * Stops accepting, tells every client to reconnect (1012) once what is queued for it
   * has been sent, and waits up to `graceMs` for the sockets to close.
   */
  async close(graceMs = 5_000): Promise<void> {
    this.#accepting = false;
    clearInterval(this.#keepAlive);
    const closed = [...this.#connections].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.socket.readyState === c.socket.CLOSED) return resolve();
          c.socket.once('close', () => resolve());
          this.#close(c, VezaCloseCode.ServiceRestart, 'The gateway is restarting; reconnect.');
        }),
    );
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([Promise.all(closed), deadline]);
    for (const c of this.#connections) c.socket.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #open(socket: WebSocket, req: IncomingMessage): void {
    const c: Connection = { socket, req, initialised: false, acknowledged: false, heard: true, pinged: false, identity: undefined, subscriptions: new Map(), timers: [], closing: false };
    this.#connections.add(c);
    this.#o.metrics.connections.inc();
    if (socket.protocol !== GRAPHQL_TRANSPORT_WS_PROTOCOL) {
      this.#close(c, CloseCode.SubprotocolNotAcceptable, 'Subprotocol not acceptable');
    }
    c.timers.push(
      setTimeout(() => {
        if (!c.initialised) this.#close(c, CloseCode.ConnectionInitialisationTimeout, 'Connection initialisation timeout');
      }, this.#o.connectionInitWaitMs),
    );
    socket.on('pong', () => {
      c.pinged = false;
    });
    socket.on('message', (data: RawData, isBinary: boolean) => {
      c.heard = true;
      void this.#onMessage(c, isBinary ? '' : rawToString(data)).catch((err: unknown) => {
        this.#o.logger.error({ err }, 'graphql-ws message handling failed');
        this.#close(c, CloseCode.InternalServerError, 'Internal server error');
      });
    });
    socket.on('error', (err) => this.#o.logger.debug({ err }, 'graphql-ws socket error'));
    socket.once('close', () => this.#cleanup(c));
  }

  async #onMessage(c: Connection, text: string): Promise<void> {
    let message: Message;
    try {
      message = parseMessage(text);
    } catch (err) {
      return this.#close(c, CloseCode.BadRequest, err instanceof Error ? err.message.slice(0, 120) : 'Invalid message received');
    }
    switch (message.type) {
      case MessageType.ConnectionInit: {
        if (c.initialised) return this.#close(c, CloseCode.TooManyInitialisationRequests, 'Too many initialisation requests');
        c.initialised = true;
        const who = await this.#o.authenticate(message.payload ?? undefined, c.req);
        if (c.closing) return;
        if (!who.ok) return this.#close(c, CloseCode.Forbidden, who.reason.slice(0, 120));
        c.identity = who.identity;
        c.acknowledged = true;
        if (who.expiresAt !== null) {
          const closeIn = Math.max(0, who.expiresAt - Date.now()) + this.#o.expiryGraceMs;
          c.timers.push(setTimeout(() => this.#close(c, CloseCode.Forbidden, 'The access token expired; reconnect with a new one.'), closeIn));
        }
        return this.#send(c, '{"type":"connection_ack"}');
      }
      case MessageType.Ping:
        return this.#send(c, JSON.stringify(message.payload ? { type: MessageType.Pong, payload: message.payload } : { type: MessageType.Pong }));
      case MessageType.Pong:
        return;
      case MessageType.Subscribe: {
        if (!c.acknowledged || !c.identity) return this.#close(c, CloseCode.Unauthorized, 'Unauthorized');
        const id = message.id;
        if (c.subscriptions.has(id)) return this.#close(c, CloseCode.SubscriberAlreadyExists, `Subscriber for ${id} already exists`);
        const prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
        // Reserved before subscribing: the subscription may end before `subscribe` returns.
        c.subscriptions.set(id, () => {});
        this.#o.metrics.clientSubscriptions.inc();
        const result = this.#o.layer.subscribe(message.payload, c.identity, {
          next: (payload) => this.#send(c, `${prefix}${payload}}`),
          error: (errors) => this.#finish(c, id, errors),
          complete: () => this.#finish(c, id, undefined),
        });
        if (Array.isArray(result)) return this.#finish(c, id, result);
        if (!c.subscriptions.has(id)) return result(); // ended while subscribing
        c.subscriptions.set(id, result);
        return;
      }
      case MessageType.Complete: {
        const stop = c.subscriptions.get(message.id);
        if (!stop) return;
        c.subscriptions.delete(message.id);
        this.#o.metrics.clientSubscriptions.dec();
        return stop();
      }
      default:
        return this.#close(c, CloseCode.BadRequest, `Unexpected message of type ${message.type} received`);
    }
  }

  /** The server ended subscription `id`: with errors (an `error` message) or normally (`complete`). */
  #finish(c: Connection, id: string, errors: readonly GraphQLFormattedError[] | undefined): void {
    if (!c.subscriptions.delete(id)) return;
    this.#o.metrics.clientSubscriptions.dec();
    if (errors) this.#sendError(c, id, errors);
    else this.#send(c, JSON.stringify({ id, type: MessageType.Complete }));
  }

  #sendError(c: Connection, id: string, errors: readonly GraphQLFormattedError[]): void {
    this.#send(c, JSON.stringify({ id, type: MessageType.Error, payload: errors }));
  }

  #send(c: Connection, text: string): void {
    if (c.closing || c.socket.readyState !== c.socket.OPEN) return;
    if (c.socket.bufferedAmount > this.#o.maxBufferedBytes) {
      this.#o.metrics.slowConsumers.inc();
      this.#close(c, VezaCloseCode.SlowConsumer, 'Too far behind; reconnect and resume from the last position seen.');
      // A stalled reader never takes the close frame either: free its buffer.
      const kill = setTimeout(() => c.socket.terminate(), 1_000);
      kill.unref();
      return;
    }
    c.socket.send(text);
  }

  #close(c: Connection, code: number, reason: string): void {
    if (c.closing) return;
    c.closing = true;
    c.socket.close(code, reason);
    this.#stopSubscriptions(c);
  }

  #stopSubscriptions(c: Connection): void {
    for (const stop of c.subscriptions.values()) {
      this.#o.metrics.clientSubscriptions.dec();
      stop();
    }
    c.subscriptions.clear();
  }

  #cleanup(c: Connection): void {
    if (!this.#connections.delete(c)) return;
    this.#o.metrics.connections.dec();
    for (const t of c.timers) clearTimeout(t);
    this.#stopSubscriptions(c);
  }
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
