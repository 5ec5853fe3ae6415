/**
 * Subgraph fetches with in-flight deduplication: while a read (a GraphQL query) is on its
 * way to a subgraph, an identical one — same subgraph, same body, same caller identity —
 * waits for it instead of being sent again. A burst of clients opening the same channel
 * costs the subgraph one request. Mutations are never shared.
 */
import type { Fetcher, FetcherRequestInit, FetcherResponse } from '@apollo/utils.fetcher';
import { GATEWAY_ASSERTION_HEADER } from '../platform/auth/gateway-trust.ts';
import { SettledResponse } from '../platform/http/http-fetcher.ts';

export function dedupingFetcher(inner: Fetcher): Fetcher {
  const inflight = new Map<string, Promise<SettledResponse>>();
  return async (url: string, init?: FetcherRequestInit): Promise<FetcherResponse> => {
    const body = typeof init?.body === 'string' ? init.body : undefined;
    const key = body !== undefined && isQuery(body) ? `${url}\n${identityOf(init?.headers)}\n${body}` : undefined;
    if (!key) return inner(url, init);
    let pending = inflight.get(key);
    if (!pending) {
      pending = (async () => {
        const res = await inner(url, init);
        return new SettledResponse(res.url, res.status, res.statusText, res.headers, await res.text());
      })();
      inflight.set(key, pending);
      void pending.finally(() => inflight.delete(key)).catch(() => undefined);
    }
    // Each waiter reads its own copy (a body is read once).
    return (await pending).clone();
  };
}

/** Only reads are shared: the operation in the body is a query. */
function isQuery(body: string): boolean {
  const m = /"query"\s*:\s*"\s*(\w+)?/.exec(body);
  return m !== null && (m[1] === undefined || m[1] === 'query');
}

/** Who is asking, from the gateway's assertion, without its timestamp. */
function identityOf(headers: FetcherRequestInit['headers']): string {
  const raw = headers && typeof headers === 'object' && !Array.isArray(headers) ? (headers)[GATEWAY_ASSERTION_HEADER] : undefined;
  if (!raw) return 'anonymous';
  try {
    const payload = JSON.parse(Buffer.from(raw.split('.')[0] ?? '', 'base64url').toString('utf8')) as { u?: unknown; s?: unknown };
    return `${String(payload.u)}:${String(payload.s)}`;
  } catch {
    return raw;
  }
}
