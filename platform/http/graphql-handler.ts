/**
 * Serves an Apollo Server over Node's own `http` module: no framework in the hot path.
 * Body size is capped before parsing; malformed JSON and oversized bodies get a GraphQL
 * error with a code and the right HTTP status, like every other bad request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { BodyTooLargeError, readBody } from './read-body.ts';

export interface GraphQLHandlerOptions<TContext extends BaseContext> {
  maxBodyBytes: number;
  context: (req: IncomingMessage) => Promise<TContext>;
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export function graphqlHandler<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  opts: GraphQLHandlerOptions<TContext>,
): RequestHandler {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown = undefined;
    if (req.method === 'POST') {
      let raw: string;
      try {
        raw = await readBody(req, opts.maxBodyBytes);
      } catch (err) {
        if (err instanceof BodyTooLargeError) {
          req.resume();
          return sendError(res, 413, 'PAYLOAD_TOO_LARGE', `Request body is larger than ${opts.maxBodyBytes} bytes.`, { connection: 'close' });
        }
        throw err;
      }
      const contentType = headers.get('content-type') ?? '';
      if (contentType.includes('json')) {
        try {
          body = raw === '' ? {} : JSON.parse(raw);
        } catch {
          return sendError(res, 400, 'BAD_REQUEST', 'Request body is not valid JSON.');
        }
      } else {
        body = raw;
      }
    }
    const response = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: () => opts.context(req),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}

export function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  extraHeaders: Record<string, string> = {},
): void {
  const payload = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...extraHeaders });
  res.end(payload);
}
