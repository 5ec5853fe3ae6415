/**
 * GraphQL subscriptions on a subgraph, over graphql-ws (`graphql-transport-ws`), for the
 * Veza gateway only. The contract is written down in docs/decisions/0011-subgraph-subscriptions.md:
 *
 * - the socket is upgraded at `/graphql` (any other path is refused);
 * - `connection_init` carries `{ assertion }`, a gateway assertion: without a valid one
 *   the socket is closed with 4403;
 * - each `subscribe` carries the viewer's own assertion in `extensions.assertion`, because
 *   one gateway socket multiplexes many viewers; without a valid one the operation gets
 *   an `error` message (UNAUTHENTICATED);
 * - only subscription operations are served here (queries and mutations use HTTP);
 * - each event is executed with a fresh context (entity manager and DataLoaders), so a
 *   long-lived subscription neither grows an identity map nor serves stale rows, by a
 *   function compiled once per operation (compiled-execution.ts);
 * - `extensions.mode` may ask for a feed or a guard (platform/subgraph/live-modes.ts): the
 *   context says which (`live`), and a guard's stream is cut down to "granted" and its end.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  createSourceEventStream, getOperationAST, GraphQLError, OperationTypeNode, parse, validate,
  type DocumentNode, type ExecutionResult, type FormattedExecutionResult, type GraphQLFormattedError, type GraphQLSchema,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { Gauge } from 'prom-client';
import { WebSocketServer } from 'ws';
import { verifyAssertion, type GatewayIdentity } from '../auth/gateway-trust.ts';
import { assertionRefused, badInput, parseFailed, validationFailed } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ServiceMetrics } from '../metrics.ts';
import type { OperationCompiler } from './compiled-execution.ts';
import { guardStream, liveModeOf, type LiveMode } from './live-modes.ts';

/** Where subscriptions are served: the same path as queries over HTTP. */
export const SUBSCRIPTIONS_PATH = '/graphql';

/** Sent to every socket when the subgraph stops: the gateway reconnects (to another replica) and resubscribes. */
export const GOING_AWAY = 1001;

/** How long sockets get to finish their closing handshake at shutdown before they are cut. */
const CLOSE_GRACE_MS = 2000;

/**
 * Distinct operation texts whose parsed, validated document is kept. The gateway sends the
 * same few texts for every viewer (each viewer's guard is the same subscription), so a
 * fleet reopening thousands of them parses and validates each text once.
 */
const DOCUMENT_CACHE_SIZE = 500;

export interface SubscriptionServerOptions<TContext> {
  /** The subgraph's HTTP server; its `upgrade` requests for `/graphql` become graphql-ws sockets. */
  server: Server;
  /** The schema `buildSubgraphSchema` made; every operation is validated against it. */
  schema: GraphQLSchema;
  /** The secret the gateway signs assertions with. */
  gatewaySecret: string;
  /** Runs each event's execution (compiled once per operation; see compiled-execution.ts). */
  compiler: OperationCompiler;
  /** Builds a context for `viewer` in `mode`: once when an operation subscribes, and again for each event. */
  context: (viewer: GatewayIdentity, mode: LiveMode) => TContext;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Largest message accepted from the gateway, in bytes. */
  maxPayloadBytes: number;
}

export interface SubscriptionServer {
  /** Closes every socket with 1001 Going Away and stops accepting new ones. */
  close(): Promise<void>;
}

/** What the gateway sends in `connection_init`. */
type ConnectionParams = Record<string, unknown> & { assertion?: unknown };

export function serveSubscriptions<TContext extends object>(opts: SubscriptionServerOptions<TContext>): SubscriptionServer {
  const { schema, gatewaySecret, logger } = opts;
  const live = new Gauge({
    name: 'veza_live_subscriptions',
    help: 'Subscriptions currently open on this subgraph.',
    registers: [opts.metrics.registry],
  });
  // The viewer and mode of each operation, found again by its context when the operation subscribes.
  const viewers = new WeakMap<object, { viewer: GatewayIdentity; mode: LiveMode }>();
  // Operation text → its parsed document, valid against `schema` (in least recently used order).
  const validDocuments = new Map<string, DocumentNode>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPayloadBytes });
  let closing = false;

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (closing || path !== SUBSCRIPTIONS_PATH) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  opts.server.on('upgrade', upgrade);

  const server = useServer<ConnectionParams>(
    {
      // Close reasons never carry internal error messages.
      isProd: true,
      // The only peer is the gateway, whose one connection carries all its subscriptions: a
      // gateway busy accepting thousands of clients may send `connection_init` later than
      // graphql-ws's default 3 s, and closing it then (4408) would drop every subscription.
      connectionInitWaitTimeout: 15_000,
      onConnect: (ctx) => verifyAssertion(gatewaySecret, stringOf(ctx.connectionParams?.assertion)) !== undefined,
      onSubscribe: (_ctx, _id, payload) => {
        const viewer = verifyAssertion(gatewaySecret, stringOf(payload.extensions?.['assertion']));
        // Missing, forged or older than it may be (a busy subgraph read it late): the gateway asks again with a fresh one.
        if (!viewer) return [assertionRefused('Each subscription carries the viewer\'s current gateway assertion in extensions.assertion.')];
        let document = validDocuments.get(payload.query);
        if (document) {
          // Most recently used last: the oldest entry is the first to go.
          validDocuments.delete(payload.query);
        } else {
          try {
            document = parse(payload.query);
          } catch (err) {
            return [err instanceof GraphQLError ? parseFailed(err) : badInput('The operation could not be parsed.')];
          }
          const invalid = validate(schema, document);
          if (invalid.length > 0) return invalid.map(validationFailed);
          if (validDocuments.size >= DOCUMENT_CACHE_SIZE) validDocuments.delete(validDocuments.keys().next().value!);
        }
        validDocuments.set(payload.query, document);
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [badInput('The document must name one operation (set operationName).')];
        if (operation.operation !== OperationTypeNode.SUBSCRIPTION) {
          return [badInput('Only subscriptions are served over WebSocket; send queries and mutations over HTTP.')];
        }
        const mode = liveModeOf(payload.extensions);
        const contextValue = opts.context(viewer, mode);
        viewers.set(contextValue, { viewer, mode });
        return { schema, document, operationName: payload.operationName ?? null, variableValues: payload.variables ?? null, contextValue };
      },
      subscribe: async (args) => {
        const source = await createSourceEventStream(args);
        // Refused at subscribe time (no access, unknown channel...): one result with the errors, then complete.
        if (!isAsyncIterable(source)) return source;
        const found = typeof args.contextValue === 'object' && args.contextValue !== null ? viewers.get(args.contextValue) : undefined;
        if (!found) throw new Error('subscription context without a viewer');
        const { viewer, mode } = found;
        live.inc();
        const run = opts.compiler.operation(args.document, args.operationName ?? null);
        const variables = args.variableValues ?? {};
        const events = perEvent(source, (payload) => run(payload, opts.context(viewer, mode), variables), () => live.dec());
        // A guard carries the viewer's authorisation only: "granted", then the error that ends it.
        return mode === 'guard' ? guardStream(events) : events;
      },
      onNext: (_ctx, _id, _payload, _args, result) => format(result, logger),
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e, logger)),
    },
    wss,
  );

  return {
    close: async () => {
      closing = true;
      opts.server.off('upgrade', upgrade);
      const cut = setTimeout(() => {
        for (const socket of wss.clients) socket.terminate();
      }, CLOSE_GRACE_MS);
      for (const socket of wss.clients) socket.close(GOING_AWAY, 'Going away');
      await server.dispose();
      clearTimeout(cut);
    },
  };
}

/**
 * Maps each source event to its execution, like graphql-js's `subscribe`, but with the
 * context `run` is given (a fresh one per event). `return` reaches the source at once.
 */
function perEvent(
  source: AsyncGenerator<unknown> | AsyncIterable<unknown>,
  run: (payload: unknown) => Promise<ExecutionResult> | ExecutionResult,
  done: () => void,
): AsyncIterableIterator<ExecutionResult> {
  const it = source[Symbol.asyncIterator]();
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    done();
  };
  return {
    async next() {
      const event = await it.next();
      if (event.done) {
        finish();
        return { value: undefined, done: true };
      }
      return { value: await run(event.value), done: false };
    },
    async return() {
      finish();
      await it.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

function isAsyncIterable(value: unknown): value is AsyncGenerator<unknown> | AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function format(result: ExecutionResult, logger: Logger): FormattedExecutionResult {
  const { errors, ...rest } = result;
  return errors ? { ...rest, errors: errors.map((e) => formatError(e, logger)) } : rest;
}

/**
 * Keeps errors made with a code and graphql-js's own request errors; replaces anything
 * unexpected (a database error, a bug) with a plain INTERNAL_SERVER_ERROR, logged. The
 * HTTP path does the same through `errorFormatter`.
 */
export function formatError(error: GraphQLError, logger: Logger): GraphQLFormattedError {
  const original = error.originalError;
  const json = error.toJSON();
  if (original && !(original instanceof GraphQLError)) {
    logger.error({ err: original, path: json.path }, 'unexpected error in a subscription');
    return {
      message: 'Internal server error.',
      ...(json.path ? { path: json.path } : {}),
      ...(json.locations ? { locations: json.locations } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  }
  if (typeof json.extensions?.['code'] === 'string') return json;
  // Without a code: a graphql-js request error (variables...) when it has no path, else a server fault.
  const code = original || json.path ? 'INTERNAL_SERVER_ERROR' : 'BAD_USER_INPUT';
  return { ...json, extensions: { ...json.extensions, code } };
}
