/** Runs one subgraph module as an HTTP server: database, Apollo Server, health and metrics. */
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLSchema } from 'graphql';
import { openDatabase, type Database } from '../db/orm.ts';
import { createMetrics, type ServiceMetrics } from '../metrics.ts';
import { graphqlHandler, sendError } from '../http/graphql-handler.ts';
import { healthz, listen, readyz, routeRequests, type HttpServer } from '../http/server.ts';
import { GATEWAY_ASSERTION_HEADER, verifyAssertion } from '../auth/gateway-trust.ts';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { errorFormatter, operationMetricsPlugin } from './plugins.ts';
import { serveSubscriptions } from './subscriptions.ts';
import { OperationCompiler } from './compiled-execution.ts';
import { baseContext, type BaseSubgraphContext, type PlatformServices, type SubgraphModule, type SubgraphRuntime } from './module.ts';

export interface RunningSubgraph {
  name: string;
  url: string;
  http: HttpServer;
  db: Database;
  metrics: ServiceMetrics;
  stop(): Promise<void>;
}

export interface StartSubgraphOptions {
  host: string;
  port: number;
  /** Collect Node's default process metrics (off when several subgraphs share a process). */
  processMetrics?: boolean;
  /** See `DatabaseOptions.onQuery`. */
  onQuery?: (sql: string) => void;
  poolSize?: number;
}

export async function startSubgraph<TContext extends BaseSubgraphContext, TServices>(
  module: SubgraphModule<TContext, TServices>,
  platform: PlatformServices,
  opts: StartSubgraphOptions,
): Promise<RunningSubgraph> {
  const logger = platform.logger.child({ subgraph: module.name });
  const db = await openDatabase({
    url: platform.databaseUrl,
    schema: module.name,
    entities: module.entities,
    migrations: module.migrations,
    logger,
    ...(opts.onQuery ? { onQuery: opts.onQuery } : {}),
    ...(opts.poolSize ? { poolSize: opts.poolSize } : {}),
  });
  const metrics = createMetrics(`subgraph-${module.name}`, { defaultMetrics: opts.processMetrics ?? false });
  const services = await module.createServices(db, { ...platform, logger }, metrics);
  const runtime: SubgraphRuntime<TServices> = { db, platform: { ...platform, logger }, metrics, services };

  // The module's resolvers are typed by its generated `Resolvers`; Apollo takes a looser map.
  const schemaModule = { typeDefs: module.typeDefs, resolvers: module.resolvers } as unknown as Parameters<typeof buildSubgraphSchema>[0];
  const schema: GraphQLSchema = buildSubgraphSchema(schemaModule);
  const server = new ApolloServer<TContext>({
    schema,
    formatError: errorFormatter(logger),
    // Apollo Studio traces are not used; building them costs CPU on every request.
    plugins: [operationMetricsPlugin(metrics), ApolloServerPluginInlineTraceDisabled()],
    // The gateway is the only client; it has already applied CSRF rules to browsers.
    csrfPrevention: false,
    introspection: true,
    // The process owns signal handling and shuts down in order (see platform/embedded/main.ts).
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
  });
  await server.start();

  const graphql = graphqlHandler(server, {
    maxBodyBytes: platform.config.maxBodyBytes,
    context: async (req) => {
      const header = req.headers[GATEWAY_ASSERTION_HEADER];
      const viewer = verifyAssertion(platform.gatewaySecret, Array.isArray(header) ? header[0] : header);
      // The handler below has already refused unsigned requests.
      return module.createContext(baseContext(db, viewer ?? { userId: null, sessionId: null }), services);
    },
  });

  const stopBackground = module.startBackground ? await module.startBackground(runtime) : async () => {};

  const handler = routeRequests(
    {
      '/graphql': async (req, res) => {
        const header = req.headers[GATEWAY_ASSERTION_HEADER];
        if (!verifyAssertion(platform.gatewaySecret, Array.isArray(header) ? header[0] : header)) {
          req.resume();
          return sendError(res, 401, 'UNAUTHENTICATED', 'This service only answers the Veza gateway.');
        }
        return graphql(req, res);
      },
      '/healthz': healthz,
      '/readyz': readyz(async () => ({ database: await db.orm.isConnected() })),
      '/metrics': async (_req, res) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(await metrics.registry.metrics());
      },
      ...(module.routes ? module.routes(runtime) : {}),
    },
    logger,
  );
  const http = await listen(handler, opts.host, opts.port);
  // The gateway's subscriptions, over graphql-ws on the same port and path.
  const compiler = new OperationCompiler(schema, logger);
  const subscriptions = serveSubscriptions({
    server: http.server,
    schema,
    gatewaySecret: platform.gatewaySecret,
    compiler,
    context: (viewer, live) => module.createContext(baseContext(db, viewer, live), services),
    logger,
    metrics,
    maxPayloadBytes: platform.config.maxBodyBytes,
  });
  logger.info({ url: `${http.url}/graphql` }, 'subgraph listening');

  return {
    name: module.name,
    url: `${http.url}/graphql`,
    http,
    db,
    metrics,
    stop: async () => {
      // Sockets first: the HTTP server does not finish closing while upgraded sockets are open.
      await subscriptions.close();
      await http.close();
      await stopBackground();
      await server.stop();
      await db.close();
    },
  };
}
