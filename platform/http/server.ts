/**
 * A small HTTP server with exact-path routes. Every process (gateway, subgraph) serves
 * its GraphQL endpoint plus `/healthz`, `/readyz` and `/metrics` through it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger.ts';
import { sendError, type RequestHandler } from './graphql-handler.ts';

export interface HttpServer {
  server: Server;
  port: number;
  url: string;
  /**
   * Stops accepting, closes idle keep-alive connections at once, lets requests in flight
   * finish for up to `graceMs`, then closes whatever is left.
   */
  close(graceMs?: number): Promise<void>;
}

/** Exact paths, or prefixes written `/stream/*` (matching everything under `/stream/`). */
export type Routes = Record<string, RequestHandler>;

export function routeRequests(routes: Routes, logger: Logger): RequestHandler {
  const prefixes = Object.entries(routes)
    .filter(([path]) => path.endsWith('/*'))
    .map(([path, handler]) => [path.slice(0, -1), handler] as const);
  return async (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    const handler = routes[path] ?? prefixes.find(([prefix]) => path.startsWith(prefix))?.[1];
    if (!handler) return sendError(res, 404, 'NOT_FOUND', `No route for ${path}.`);
    try {
      await handler(req, res);
    } catch (err) {
      logger.error({ err, path }, 'request failed');
      if (!res.headersSent) sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error.');
      else res.destroy();
    }
  };
}

export async function listen(handler: RequestHandler, host: string, port: number): Promise<HttpServer> {
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => void handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    server,
    port: actual,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}`,
    close: (graceMs = 5000) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
        // Keep-alive connections that finish their request close as they go idle.
        server.on('request', (_req, res) => res.setHeader('connection', 'close'));
      }),
  };
}

/** `GET /healthz`: the process is up. */
export const healthz: RequestHandler = async (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"status":"ok"}');
};

/** `GET /readyz`: runs `check`; 200 when everything it depends on answers, 503 otherwise. */
export function readyz(check: () => Promise<Record<string, boolean>>): RequestHandler {
  return async (_req, res) => {
    const checks = await check().catch(() => ({ self: false }));
    const ok = Object.values(checks).every(Boolean);
    res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: ok ? 'ready' : 'unavailable', checks }));
  };
}
