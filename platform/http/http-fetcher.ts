/**
 * The HTTP client for requests between Veza's own processes (the gateway's subgraph
 * fetches, a subgraph's internal calls to another): Node's own `http` (or `https`) module
 * over keep-alive connections, shaped as the fetch-like function Apollo's data sources take.
 *
 * Why not the global `fetch`: it is undici with WHATWG streams, requests and responses.
 * One process serving and asking 5,000 requests of an entity fetch's size cost about
 * 0.33 ms of CPU per request with it against about 0.10 ms with `http.request`, on this
 * project's 2-core machines (docs/decisions/0014-process-to-process-http.md).
 *
 * What Apollo reads of a response is small (`ok`, `status`, `statusText`, `url`, a header,
 * the body as text or JSON): a response here is the whole body, read before it resolves.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { Fetcher, FetcherHeaders, FetcherRequestInit, FetcherResponse } from '@apollo/utils.fetcher';

export interface HttpFetcherOptions {
  /**
   * A request with no byte from the subgraph for this long is abandoned with an error.
   * Default 300 s (what the global fetch allowed).
   */
  timeoutMs?: number;
}

interface Target {
  module: typeof http | typeof https;
  agent: http.Agent;
  options: http.RequestOptions;
}

/** A fetch-like function over keep-alive connections to the subgraphs. */
export function httpFetcher(opts: HttpFetcherOptions = {}): Fetcher {
  const timeoutMs = opts.timeoutMs ?? 300_000;
  // Kept-alive connections: one agent per scheme, reused for every subgraph of that scheme.
  const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };
  // Subgraph URLs are few and fixed: parse each once.
  const targets = new Map<string, Target>();
  const targetOf = (url: string): Target => {
    let target = targets.get(url);
    if (!target) {
      const u = new URL(url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`unsupported subgraph URL ${url}`);
      target = {
        module: u.protocol === 'https:' ? https : http,
        agent: agents[u.protocol],
        options: { protocol: u.protocol, hostname: u.hostname.replace(/^\[|\]$/g, ''), port: u.port || undefined, path: `${u.pathname}${u.search}` },
      };
      targets.set(url, target);
    }
    return target;
  };

  const send = (url: string, init: FetcherRequestInit, retried: boolean) =>
    new Promise<FetcherResponse>((resolve, reject) => {
      const target = targetOf(url);
      const body = init.body;
      const headers: Record<string, string | number> = { ...init.headers };
      if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
      const req = target.module.request({ ...target.options, agent: target.agent, method: init.method ?? 'GET', headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => resolve(new SettledResponse(url, res.statusCode ?? 0, res.statusMessage ?? '', res.headers, Buffer.concat(chunks).toString('utf8'))));
      });
      req.setNoDelay(true);
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
      req.on('error', (err: NodeJS.ErrnoException) => {
        // A kept-alive connection the subgraph closed while it was idle: the request never
        // reached it, so it is sent again once, on a new connection (as Node's docs advise).
        if (!retried && req.reusedSocket && err.code === 'ECONNRESET') resolve(send(url, init, true));
        else reject(err);
      });
      req.end(body);
    });
  return (url: string, init: FetcherRequestInit = {}) => send(url, init, false);
}

/** A settled response: status, headers and the whole body as text. */
export class SettledResponse implements FetcherResponse {
  readonly url: string;
  readonly status: number;
  readonly statusText: string;
  readonly headers: FetcherHeaders;
  readonly redirected = false;
  readonly #body: string;

  constructor(url: string, status: number, statusText: string, headers: IncomingHttpHeaders | FetcherHeaders, body: string) {
    this.url = url;
    this.status = status;
    this.statusText = statusText;
    this.headers = isFetcherHeaders(headers) ? headers : new ResponseHeaders(headers);
    this.#body = body;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  /** Always false: the body is kept, so it can be read any number of times. */
  get bodyUsed(): boolean {
    return false;
  }

  text(): Promise<string> {
    return Promise.resolve(this.#body);
  }

  json(): Promise<unknown> {
    return Promise.resolve().then(() => JSON.parse(this.#body) as unknown);
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = Buffer.from(this.#body, 'utf8');
    return Promise.resolve(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  }

  clone(): SettledResponse {
    return new SettledResponse(this.url, this.status, this.statusText, this.headers, this.#body);
  }
}

function isFetcherHeaders(h: IncomingHttpHeaders | FetcherHeaders): h is FetcherHeaders {
  return typeof (h as { get?: unknown }).get === 'function';
}

/** Node's parsed response headers (lower-case names) behind the Headers interface Apollo reads. */
class ResponseHeaders implements FetcherHeaders {
  readonly #map = new Map<string, string>();

  constructor(raw: IncomingHttpHeaders) {
    for (const [name, value] of Object.entries(raw)) {
      if (value !== undefined) this.#map.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
  }

  get(name: string): string | null {
    return this.#map.get(name.toLowerCase()) ?? null;
  }

  has(name: string): boolean {
    return this.#map.has(name.toLowerCase());
  }

  set(name: string, value: string): void {
    this.#map.set(name.toLowerCase(), value);
  }

  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const current = this.#map.get(key);
    this.#map.set(key, current === undefined ? value : `${current}, ${value}`);
  }

  delete(name: string): void {
    this.#map.delete(name.toLowerCase());
  }

  entries(): IterableIterator<[string, string]> {
    return this.#map.entries();
  }

  keys(): IterableIterator<string> {
    return this.#map.keys();
  }

  values(): IterableIterator<string> {
    return this.#map.values();
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.#map.entries();
  }
}
