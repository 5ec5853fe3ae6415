/**
 * The gateway: the composed supergraph served over HTTP with `@apollo/gateway` and
 * `@apollo/server`, plus health, readiness and metrics. Subgraph requests carry the
 * caller's identity in a signed assertion (see platform/auth/gateway-trust.ts).
 */
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageLocalDefault, ApolloServerPluginLandingPageProductionDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloGateway } from '@apollo/gateway';
import type { SubgraphName } from '../platform/config.ts';
import type { Logger } from '../platform/logger.ts';
import { createMetrics, type ServiceMetrics } from '../platform/metrics.ts';
import type { TokenVerifier } from '../platform/auth/access-tokens.ts';
import type { GatewayIdentity } from '../platform/auth/gateway-trust.ts';
import { graphqlHandler, sendError } from '../platform/http/graphql-handler.ts';
import { healthz, listen, readyz, routeRequests, type HttpServer } from '../platform/http/server.ts';
import { errorFormatter, operationMetricsPlugin } from '../platform/subgraph/plugins.ts';
import { ANONYMOUS, identify, identifyConnection } from './identity.ts';
import { SubscriptionLayer } from './subscriptions/layer.ts';
import { SubscriptionServer, type SubscriptionServerOptions } from './subscriptions/server.ts';
import { createSubscriptionMetrics } from './subscriptions/metrics.ts';
import { CoalescingDataSource } from './subscriptions/coalescing.ts';
import { SignedDataSource, type GatewayContext } from './data-sources.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';

export type { GatewayContext };

export interface GatewayOptions {
  supergraphSdl: string;
  /** Overrides of the routing URLs written in the supergraph, by subgraph name. */
  subgraphUrls: () => Partial<Record<SubgraphName, string>>;
  verifier: TokenVerifier;
  gatewaySecret: string;
  logger: Logger;
  host: string;
  port: number;
  maxBodyBytes: number;
  playground: boolean;
  processMetrics?: boolean;
  /** Tuning of the graphql-ws edge (timeouts, keep-alive, send buffer); see SubscriptionServerOptions. */
  subscriptions?: Pick<SubscriptionServerOptions, 'connectionInitWaitMs' | 'keepAliveMs' | 'expiryGraceMs' | 'maxBufferedBytes'>;
}

export interface RunningGateway {
  url: string;
  http: HttpServer;
  metrics: ServiceMetrics;
  /** The subscription layer and its graphql-ws server. */
  subscriptions: { layer: SubscriptionLayer; server: SubscriptionServer };
  /** Loads a new supergraph: queries use it at once, open subscriptions are re-planned and continue. */
  reload: (supergraphSdl: string) => void;
  stop: () => Promise<void>;
}

export async function startGateway(opts: GatewayOptions): Promise<RunningGateway> {
  const logger = opts.logger.child({ component: 'gateway' });
  const metrics = createMetrics('gateway', { defaultMetrics: opts.processMetrics ?? true });
  const routing = new Map<string, string>();

  let updateSupergraph: ((sdl: string) => void) | undefined;
  const gateway = new ApolloGateway({
    // A hook rather than a string, so `reload` can hand Apollo a new supergraph.
    supergraphSdl: async ({ update }) => {
      updateSupergraph = update;
      return { supergraphSdl: opts.supergraphSdl };
    },
    buildService: ({ name, url }) => {
      const target = opts.subgraphUrls()[name as SubgraphName] ?? url;
      if (!target) throw new Error(`no URL for subgraph ${name}`);
      routing.set(name, target);
      return new SignedDataSource(target, opts.gatewaySecret);
    },
    logger,
  });

  const server = new ApolloServer<GatewayContext>({
    gateway,
    formatError: errorFormatter(logger),
    includeStacktraceInErrorResponses: false,
    introspection: true,
    // The process owns signal handling and shuts down in order (see platform/embedded/main.ts).
    stopOnTerminationSignals: false,
    plugins: [
      operationMetricsPlugin(metrics),
      opts.playground
        ? ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false })
        : ApolloServerPluginLandingPageProductionDefault({ footer: false }),
    ],
  });
  await server.start();

  // The route verifies the token once; the context picks up what it found.
  const identities = new WeakMap<IncomingMessage, GatewayIdentity>();
  const graphql = graphqlHandler(server, {
    maxBodyBytes: opts.maxBodyBytes,
    context: async (req) => ({ identity: identities.get(req) ?? ANONYMOUS }),
  });

  const handler = routeRequests(
    {
      '/graphql': async (req, res) => {
        const who = await identify(req, opts.verifier);
        if (!who.ok) {
          req.resume();
          return sendError(res, 401, 'UNAUTHENTICATED', who.reason, { 'www-authenticate': 'Bearer error="invalid_token"' });
        }
        identities.set(req, who.identity);
        return graphql(req, res);
      },
      '/': async (req, res) => {
        if (req.method === 'GET') return graphql(req, res);
        return sendError(res, 404, 'NOT_FOUND', 'POST GraphQL requests to /graphql.');
      },
      // Playback playlists are served by the media subgraph (token-checked there); see subgraphs/media/services/streaming.ts.
      '/stream/*': proxyTo(() => opts.subgraphUrls().media ?? routing.get('media')),
      '/healthz': healthz,
      '/readyz': readyz(async () => {
        const entries = await Promise.all(
          [...routing.entries()].map(async ([name, url]) => [name, await probe(new URL('/readyz', url).toString())] as const),
        );
        return Object.fromEntries(entries);
      }),
      '/metrics': async (_req, res) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(await metrics.registry.metrics());
      },
    },
    logger,
  );
  const subscriptionMetrics = createSubscriptionMetrics(metrics.registry);
  const layer = new SubscriptionLayer({
    supergraphSdl: opts.supergraphSdl,
    subgraphUrls: opts.subgraphUrls,
    // Live events' entity fetches that arrive together share one request (coalescing.ts).
    dataSource: (url) => new CoalescingDataSource(new SignedDataSource(url, opts.gatewaySecret, { onFetch: () => subscriptionMetrics.entityFetches.inc(), honorCacheControl: false })),
    gatewaySecret: opts.gatewaySecret,
    metrics: subscriptionMetrics,
    logger,
  });
  const subscriptionServer = new SubscriptionServer({
    layer,
    authenticate: (payload, req) => identifyConnection(payload, req, opts.verifier),
    metrics: subscriptionMetrics,
    logger,
    ...opts.subscriptions,
  });

  const http = await listen(handler, opts.host, opts.port);
  subscriptionServer.attach(http.server, '/graphql');
  logger.info({ url: `${http.url}/graphql` }, 'gateway listening');
  return {
    url: `${http.url}/graphql`,
    http,
    metrics,
    subscriptions: { layer, server: subscriptionServer },
    reload: (sdl) => {
      if (!updateSupergraph) throw new Error('the gateway has not loaded its first supergraph yet');
      // Subscriptions first: a plan that fails to build leaves queries on the old supergraph too.
      layer.reload(sdl);
      updateSupergraph(sdl);
    },
    stop: async () => {
      // Live clients first: they are told to reconnect while HTTP still answers.
      await subscriptionServer.close();
      await layer.close();
      await http.close();
      await server.stop();
    },
  };
}

async function probe(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

/** Forwards a GET to the same path on another service, streaming the answer back. */
function proxyTo(target: () => string | undefined): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const base = target();
    if (req.method !== 'GET' || !base) return sendError(res, 404, 'NOT_FOUND', 'Not found.');
    const upstream = await fetch(new URL(req.url ?? '/', base), { signal: AbortSignal.timeout(10_000) });
    res.writeHead(upstream.status, {
      'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream',
      'cache-control': upstream.headers.get('cache-control') ?? 'no-store',
    });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  };
}
