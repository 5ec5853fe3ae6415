/**
 * How the gateway reaches a subgraph over HTTP: Apollo's remote data source with Node's own
 * `http` client (keep-alive, in-flight deduplication of identical reads), each entity
 * representation sent once per fetch, and the caller's identity in a signed assertion on
 * every request (see platform/auth/gateway-trust.ts).
 */
import { RemoteGraphQLDataSource } from '@apollo/gateway';
import { GATEWAY_ASSERTION_HEADER, signAssertion, type GatewayIdentity } from '../platform/auth/gateway-trust.ts';
import { ANONYMOUS } from './identity.ts';
import { dedupingFetcher } from './upstream-fetch.ts';
import { httpFetcher } from '../platform/http/http-fetcher.ts';
import { dedupeRepresentations } from './entity-dedup.ts';

/** What every gateway operation carries to its data sources. */
export interface GatewayContext {
  identity: GatewayIdentity;
}

type ProcessOptions = Parameters<RemoteGraphQLDataSource<GatewayContext>['process']>[0];

export class SignedDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  readonly #secret: string;
  readonly #onFetch: (() => void) | undefined;

  /** `onFetch` is called for every request sent (metrics). */
  constructor(url: string, secret: string, opts: { onFetch?: () => void; honorCacheControl?: boolean } = {}) {
    // Node's own http over keep-alive connections (platform/http/http-fetcher.ts): Apollo's
    // default fetcher (make-fetch-happen) and the global fetch cost far more per request.
    super({ url, fetcher: dedupingFetcher(httpFetcher()), honorSubgraphCacheControlHeader: opts.honorCacheControl ?? true });
    this.#secret = secret;
    this.#onFetch = opts.onFetch;
  }

  /** Entity fetches carry each distinct representation once (see entity-dedup.ts). */
  override async process(options: ProcessOptions): ReturnType<RemoteGraphQLDataSource<GatewayContext>['process']> {
    const deduplicated = dedupeRepresentations(options.request.variables);
    if (!deduplicated) return super.process(options);
    const response = await super.process({ ...options, request: { ...options.request, variables: deduplicated.variables } });
    return deduplicated.expand(response);
  }

  override willSendRequest({ request, context }: ProcessOptions): void {
    const identity = (context as Partial<GatewayContext>).identity ?? ANONYMOUS;
    request.http?.headers.set(GATEWAY_ASSERTION_HEADER, signAssertion(this.#secret, identity));
    this.#onFetch?.();
  }
}
