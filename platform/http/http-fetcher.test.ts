import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpFetcher } from './http-fetcher.ts';

/** A real HTTP server on a free loopback port, recording each request and the connection it came on. */
async function serve(handle: (req: IncomingMessage, body: string, res: ServerResponse) => void) {
  const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string; socket: Socket }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, socket: req.socket });
      handle(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  servers.push(server);
  return { url: `http://127.0.0.1:${port}/graphql?x=1`, seen, server };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

describe('HTTP fetcher', () => {
  it('sends the method, headers and body, and gives the status, headers and body back', async () => {
    const t = await serve((_req, body, res) => {
      res.writeHead(201, 'Made', { 'content-type': 'application/json', 'x-twice': ['a', 'b'] });
      res.end(JSON.stringify({ echoed: JSON.parse(body) as unknown }));
    });
    const fetcher = httpFetcher();
    const res = await fetcher(t.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-veza': 'yes' }, body: '{"query":"{ é }"}' });
    expect(t.seen[0]).toMatchObject({ method: 'POST', url: '/graphql?x=1', body: '{"query":"{ é }"}' });
    expect(t.seen[0]?.headers['x-veza']).toBe('yes');
    expect(t.seen[0]?.headers['content-length']).toBe(String(Buffer.byteLength('{"query":"{ é }"}')));
    expect(res.status).toBe(201);
    expect(res.statusText).toBe('Made');
    expect(res.ok).toBe(true);
    expect(res.headers.get('Content-Type')).toBe('application/json');
    expect(res.headers.get('x-twice')).toBe('a, b');
    expect(await res.json()).toEqual({ echoed: { query: '{ é }' } });
    expect(await res.clone().text()).toBe('{"echoed":{"query":"{ é }"}}');
  });

  it('reports an error status as not ok, with its body', async () => {
    const t = await serve((_req, _body, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"errors":[{"message":"no"}]}');
    });
    const res = await httpFetcher()(t.url, { method: 'POST', body: '{}' });
    expect(res.ok).toBe(false);
    expect(res.status).toBe(401);
    expect(await res.text()).toBe('{"errors":[{"message":"no"}]}');
  });

  it('keeps one connection alive across requests made one after another', async () => {
    const t = await serve((_req, _body, res) => res.end('{}'));
    const fetcher = httpFetcher();
    for (let i = 0; i < 5; i++) await (await fetcher(t.url, { method: 'POST', body: '{}' })).text();
    expect(t.seen).toHaveLength(5);
    expect(new Set(t.seen.map((s) => s.socket)).size).toBe(1);
  });

  it('sends a request again on a new connection when the kept-alive one was closed by the server', async () => {
    const t = await serve((_req, _body, res) => res.end('{"ok":true}'));
    const fetcher = httpFetcher();
    await (await fetcher(t.url, { method: 'POST', body: '{}' })).text();
    // The server drops the idle connection without the client having noticed yet.
    const first = t.seen[0]!.socket;
    first.resetAndDestroy();
    const res = await fetcher(t.url, { method: 'POST', body: '{}' });
    expect(await res.json()).toEqual({ ok: true });
    expect(t.seen.at(-1)!.socket).not.toBe(first);
  });

  it('fails when the subgraph cannot be reached', async () => {
    const t = await serve((_req, _body, res) => res.end('{}'));
    const url = t.url;
    t.server.closeAllConnections();
    await new Promise((r) => t.server.close(r));
    servers.length = 0;
    await expect(httpFetcher()(url, { method: 'POST', body: '{}' })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('abandons a request the subgraph does not answer in time', async () => {
    const t = await serve(() => {
      // never answers
    });
    await expect(httpFetcher({ timeoutMs: 50 })(t.url, { method: 'POST', body: '{}' })).rejects.toThrow(/within 50 ms/);
  });
});
