/**
 * The gateway's side of subgraph subscriptions: one graphql-ws connection per subgraph,
 * multiplexing every upstream subscription of this gateway process. The connection proves
 * it is the gateway (a signed assertion in `connection_init`); each subscription carries
 * the identity it runs as (a fresh assertion in its `extensions`), because one socket
 * serves many viewers. See docs/decisions/0011-subgraph-subscriptions.md.
 */
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import type { GraphQLFormattedError } from 'graphql';
import { signAssertion, type GatewayIdentity } from '../../platform/auth/gateway-trust.ts';
import type { Logger } from '../../platform/logger.ts';

/** The identity the gateway's own connections assert (a peer, not a user). */
const GATEWAY_PEER: GatewayIdentity = { userId: null, sessionId: null };

export type UpstreamEvent = FormattedExecutionResult<Record<string, unknown>, unknown>;

export interface UpstreamSink {
  next(event: UpstreamEvent): void;
  /** The subgraph refused or ended the subscription with GraphQL errors. */
  refused(errors: readonly GraphQLFormattedError[]): void;
  /** The connection was lost; the subscription may be opened again. */
  lost(reason: string): void;
  complete(): void;
}

export interface UpstreamRequest {
  subgraph: string;
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown>;
  identity: GatewayIdentity;
  /**
   * `feed`: the events for every viewer the gateway admits (no viewer; fields tagged
   * `shared` only); `guard`: the viewer's authorisation alone — "granted", then only the
   * error that ends it. Absent: the viewer's own subscription.
   */
  mode?: 'feed' | 'guard';
}

export interface UpstreamsOptions {
  /** The HTTP GraphQL URL of a subgraph, by name (its WebSocket endpoint is the same path). */
  urlOf: (subgraph: string) => string | undefined;
  gatewaySecret: string;
  logger: Logger;
}

export class Upstreams {
  readonly #o: UpstreamsOptions;
  readonly #clients = new Map<string, { url: string; client: Client }>();

  constructor(opts: UpstreamsOptions) {
    this.#o = opts;
  }

  /** Opens one upstream subscription; returns what stops it. */
  subscribe(req: UpstreamRequest, sink: UpstreamSink): () => void {
    const client = this.#clientFor(req.subgraph);
    let settled = false;
    const dispose = client.subscribe<Record<string, unknown>>(
      {
        query: req.query,
        variables: req.variables,
        ...(req.operationName ? { operationName: req.operationName } : {}),
        extensions: { assertion: signAssertion(this.#o.gatewaySecret, req.identity), ...(req.mode ? { mode: req.mode } : {}) },
      },
      {
        next: (event) => {
          if (!settled) sink.next(event);
        },
        error: (err: unknown) => {
          if (settled) return;
          settled = true;
          if (!Array.isArray(err)) sink.lost(describe(err));
          // The assertion reached the subgraph too late (or it was refused): open again, with a fresh one.
          else if ((err as GraphQLFormattedError[]).some((e) => e.extensions?.['assertion'] === 'refused')) sink.lost('assertion refused');
          else sink.refused(err as GraphQLFormattedError[]);
        },
        complete: () => {
          if (settled) return;
          settled = true;
          sink.complete();
        },
      },
    );
    return () => {
      settled = true;
      dispose();
    };
  }

  async close(): Promise<void> {
    const clients = [...this.#clients.values()];
    this.#clients.clear();
    for (const { client } of clients) void client.dispose();
  }

  #clientFor(subgraph: string): Client {
    const url = this.#o.urlOf(subgraph);
    if (!url) throw new Error(`no URL for subgraph ${subgraph}`);
    const current = this.#clients.get(subgraph);
    if (current?.url === url) return current.client;
    if (current) void current.client.dispose();
    const client = createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      // Assertions are short-lived: make a fresh one for every (re)connection.
      connectionParams: () => ({ assertion: signAssertion(this.#o.gatewaySecret, GATEWAY_PEER) }),
      lazy: true,
      lazyCloseTimeout: 5_000,
      keepAlive: 10_000,
      // Subscriptions are reopened by their owner (with a fresh identity assertion), not by the client.
      retryAttempts: 0,
      on: {
        closed: (event) => this.#o.logger.debug({ subgraph, event: describe(event) }, 'upstream connection closed'),
        error: (err) => this.#o.logger.warn({ subgraph, err: describe(err) }, 'upstream connection error'),
      },
    });
    this.#clients.set(subgraph, { url, client });
    return client;
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (err && typeof err === 'object' && 'code' in err) {
    const e = err as { code: unknown; reason?: unknown };
    return `closed ${String(e.code)}${typeof e.reason === 'string' && e.reason ? ` ${e.reason}` : ''}`;
  }
  return String(err);
}
