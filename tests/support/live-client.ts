/**
 * A graphql-transport-ws client for tests, written on `ws` so a test sees every message and
 * close code exactly as the gateway sent them (graphql-ws's own client hides some), and
 * the metric reads tests use to know when a subscription is live.
 */
import WebSocket from 'ws';
import type { Registry } from 'prom-client';

export interface LiveMessage {
  id?: string;
  type: string;
  payload?: unknown;
}

export interface NextPayload<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export class LiveClient {
  readonly socket: WebSocket;
  readonly messages: LiveMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;
  #waiters: (() => void)[] = [];

  constructor(url: string, opts: { localAddress?: string } = {}) {
    this.socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws', opts.localAddress ? { localAddress: opts.localAddress } : {});
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
    });
    this.closed = new Promise((resolve) => this.socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    this.socket.on('message', (data: Buffer) => {
      this.messages.push(JSON.parse(data.toString()) as LiveMessage);
      for (const w of this.#waiters.splice(0)) w();
    });
    this.socket.on('close', () => {
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  /** Opens the socket and completes `connection_init` → `connection_ack`. */
  static async connect(url: string, token?: string, opts: { localAddress?: string } = {}): Promise<LiveClient> {
    const c = new LiveClient(url, opts);
    await c.opened;
    c.send({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} });
    await c.waitFor((m) => m.type === 'connection_ack');
    return c;
  }

  send(message: LiveMessage): void {
    this.socket.send(JSON.stringify(message));
  }

  subscribe(id: string, query: string, variables: Record<string, unknown> = {}): void {
    this.send({ id, type: 'subscribe', payload: { query, variables } });
  }

  /** The `next` payloads of subscription `id`, in order. */
  nexts<T = Record<string, unknown>>(id: string): NextPayload<T>[] {
    return this.messages.filter((m) => m.id === id && m.type === 'next').map((m) => m.payload as NextPayload<T>);
  }

  /** Resolves with the first message (already received or to come) that matches; fails if the socket closes first. */
  async waitFor(match: (m: LiveMessage) => boolean, timeoutMs = 30_000): Promise<LiveMessage> {
    return this.until(() => this.messages.find(match), timeoutMs);
  }

  /** Resolves once `check` returns a value; re-checked on every message. */
  async until<T>(check: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = check();
      if (found !== undefined && found !== false) return found;
      if (this.socket.readyState === WebSocket.CLOSED) throw new Error(`socket closed while waiting (last: ${JSON.stringify(this.messages.at(-1))})`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting (last: ${JSON.stringify(this.messages.at(-1))})`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.close(1000);
  }
}

/** The value of a metric in a registry, summed over its labels (0 when it has none yet). */
export async function metricValue(registry: Registry, name: string): Promise<number> {
  return (await registry.getSingleMetric(name)?.get())?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;
}
