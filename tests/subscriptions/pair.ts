/**
 * A generic pair of small subgraphs, unrelated to Veza's own schema, to prove the gateway's
 * subscription layer is driven by the supergraph alone:
 *   rooms   owns `Subscription.posted(room)` and `Post`; a post's author is a `Person` reference
 *   people  owns `Person` (name; and `initials` in its second version, for reload tests)
 * Both speak the subgraph subscription contract (docs/decisions/0011-subgraph-subscriptions.md):
 * a gateway assertion in `connection_init`, the viewer's assertion in each subscribe's
 * extensions. Rooms named `private-…` admit only their members, and `revoke` ends a
 * member's subscriptions with FORBIDDEN.
 */
import { EventEmitter } from 'node:events';
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, parse, subscribe, validate, type GraphQLSchema } from 'graphql';
import { PubSub } from 'graphql-subscriptions';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { compose } from '../../schema/composition.ts';
import { guardStream, liveModeOf, type LiveMode } from '../../platform/subgraph/live-modes.ts';
import { verifyAssertion, GATEWAY_ASSERTION_HEADER, type GatewayIdentity } from '../../platform/auth/gateway-trust.ts';
import { graphqlHandler } from '../../platform/http/graphql-handler.ts';
import { listen, routeRequests, type HttpServer } from '../../platform/http/server.ts';
import { silentLogger } from '../support/index.ts';

const FEDERATION = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@tag"])';

const ROOMS_SDL = `${FEDERATION}
type Query { "Name of a room." roomName(room: ID!): String }
type Subscription { "Posts in a room, live." posted(room: ID!, "Replay posts after this seq first." since: Int @tag(name: "replay")): Post! @tag(name: "shared") }
type Post @key(fields: "id") { id: ID! room: ID! seq: Int! text: String! by: Person! mine: Boolean! @tag(name: "viewer") }
type Person @key(fields: "id", resolvable: false) { id: ID! }
`;

const peopleSdl = (version: 1 | 2) => `${FEDERATION}
type Query { person(id: ID!): Person }
type Person @key(fields: "id") { id: ID! name: String! ${version === 2 ? 'initials: String!' : ''} }
`;

export interface Post {
  id: string;
  room: string;
  seq: number;
  text: string;
  byId: string;
}

interface Context {
  viewer: GatewayIdentity;
  mode: LiveMode;
}

type RoomEvent = { post: Post } | { revoked: string };

export interface SubgraphPair {
  roomsUrl: string;
  peopleUrl: string;
  /** The composed supergraph for people's schema `version`, with the pair's URLs. */
  supergraph: (version: 1 | 2) => string;
  /** Publishes a post to a room's subscribers. */
  post: (post: Post) => Promise<void>;
  /** Lets `userId` into a private room. */
  admit: (room: string, userId: string) => void;
  /** Takes `userId` out of a private room: their subscriptions end with FORBIDDEN. */
  revoke: (room: string, userId: string) => Promise<void>;
  names: Map<string, string>;
  /** Subscriptions the rooms subgraph opened (listening from then on), by mode; HTTP requests people answered. */
  counts: { upstreamSubscribes: number; feeds: number; guards: number; entityRequests: number };
  stop: () => Promise<void>;
}

export async function startSubgraphPair(secret: string): Promise<SubgraphPair> {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const pubsub = new PubSub<Record<string, RoomEvent>>({ eventEmitter: emitter });
  const members = new Map<string, Set<string>>();
  const names = new Map<string, string>();
  const history = new Map<string, Post[]>();
  const counts = { upstreamSubscribes: 0, feeds: 0, guards: 0, entityRequests: 0 };
  const allowed = (room: string, userId: string | null) => !room.startsWith('private-') || (userId !== null && (members.get(room)?.has(userId) ?? false));

  const rooms = buildSubgraphSchema({
    typeDefs: parse(ROOMS_SDL),
    resolvers: {
      Query: { roomName: (_: unknown, { room }: { room: string }) => room },
      Subscription: {
        posted: {
          subscribe: (_: unknown, { room, since }: { room: string; since?: number | null }, ctx: Context) => {
            // A feed is opened by the gateway for viewers it keeps authorised with guards.
            if (ctx.mode !== 'feed' && !allowed(room, ctx.viewer.userId)) throw new GraphQLError('Not a member of this room.', { extensions: { code: 'FORBIDDEN' } });
            const source = pubsub.asyncIterableIterator<RoomEvent>(`room.${room}`);
            // Pulling once registers the listener now, so a post right after this counts is seen.
            const first = source.next();
            counts.upstreamSubscribes++;
            if (ctx.mode === 'feed') counts.feeds++;
            if (ctx.mode === 'guard') counts.guards++;
            const replay = since == null ? [] : (history.get(room) ?? []).filter((p) => p.seq > since);
            return (async function* () {
              try {
                for (const post of replay) yield { post };
                for (let r = await first; !r.done; r = await source.next()) {
                  const event = r.value;
                  if ('revoked' in event) {
                    if (event.revoked !== ctx.viewer.userId) continue;
                    yield event;
                    return;
                  }
                  yield event;
                }
              } finally {
                await source.return?.();
              }
            })();
          },
          resolve: (event: RoomEvent) => {
            if ('revoked' in event) throw new GraphQLError('No longer a member of this room.', { extensions: { code: 'FORBIDDEN' } });
            return event.post;
          },
        },
      },
      Post: { by: (p: Post) => ({ __typename: 'Person', id: p.byId }), mine: (p: Post, _: unknown, ctx: Context) => p.byId === ctx.viewer.userId },
    } as never,
  });

  const people = (version: 1 | 2) =>
    buildSubgraphSchema({
      typeDefs: parse(peopleSdl(version)),
      resolvers: {
        Query: { person: (_: unknown, { id }: { id: string }) => ({ id }) },
        Person: {
          __resolveReference: (ref: { id: string }) => ref,
          name: (p: { id: string }) => names.get(p.id) ?? `person ${p.id}`,
          initials: (p: { id: string }) => (names.get(p.id) ?? p.id).split(' ').map((w) => w[0]).join(''),
        },
      },
    });

  const roomsServer = await serve(rooms, secret);
  const peopleServer = await serve(people(2), secret, () => counts.entityRequests++);

  const supergraph = (version: 1 | 2) => {
    const out = compose([
      { name: 'rooms', url: roomsServer.url, sdl: ROOMS_SDL },
      { name: 'people', url: peopleServer.url, sdl: peopleSdl(version) },
    ]);
    if (!out.ok) throw new Error(out.errors.join('\n'));
    return out.supergraphSdl;
  };

  return {
    roomsUrl: roomsServer.url,
    peopleUrl: peopleServer.url,
    supergraph,
    post: (post) => {
      history.set(post.room, [...(history.get(post.room) ?? []), post]);
      return pubsub.publish(`room.${post.room}`, { post });
    },
    admit: (room, userId) => {
      let set = members.get(room);
      if (!set) members.set(room, (set = new Set()));
      set.add(userId);
    },
    revoke: async (room, userId) => {
      members.get(room)?.delete(userId);
      await pubsub.publish(`room.${room}`, { revoked: userId });
    },
    names,
    counts,
    stop: async () => {
      await roomsServer.stop();
      await peopleServer.stop();
    },
  };
}

/** One subgraph on HTTP (queries, entity fetches) and WebSocket (subscriptions), on one port. */
async function serve(schema: GraphQLSchema, secret: string, onRequest?: () => void): Promise<{ url: string; stop: () => Promise<void> }> {
  const apollo = new ApolloServer<Context>({ schema, csrfPrevention: false, stopOnTerminationSignals: false });
  await apollo.start();
  const handle = graphqlHandler(apollo, {
    maxBodyBytes: 1_000_000,
    context: async (req) => {
      onRequest?.();
      const header = req.headers[GATEWAY_ASSERTION_HEADER];
      return { viewer: verifyAssertion(secret, Array.isArray(header) ? header[0] : header) ?? { userId: null, sessionId: null }, mode: 'direct' as const };
    },
  });
  const http: HttpServer = await listen(routeRequests({ '/graphql': handle }, silentLogger), '127.0.0.1', 0);
  const wss = new WebSocketServer({ server: http.server, path: '/graphql' });
  const disposable = useServer(
    {
      schema,
      onConnect: (ctx) => verifyAssertion(secret, typeof ctx.connectionParams?.['assertion'] === 'string' ? ctx.connectionParams['assertion'] : undefined) !== undefined,
      // One socket from the gateway carries many viewers: the context is per subscription.
      onSubscribe: (_ctx, _id, payload) => {
        const assertion = payload.extensions?.['assertion'];
        const viewer = verifyAssertion(secret, typeof assertion === 'string' ? assertion : undefined);
        if (!viewer) return [new GraphQLError('The subscription carries no valid viewer assertion.', { extensions: { code: 'UNAUTHENTICATED' } })];
        const document = parse(payload.query);
        const invalid = validate(schema, document);
        if (invalid.length) return invalid;
        const mode = liveModeOf(payload.extensions);
        return { schema, document, variableValues: payload.variables ?? null, operationName: payload.operationName ?? null, contextValue: { viewer, mode } satisfies Context };
      },
      subscribe: async (args) => {
        const result = await subscribe(args);
        return (args.contextValue as Context).mode === 'guard' && Symbol.asyncIterator in result ? guardStream(result) : result;
      },
    },
    wss,
  );
  return {
    url: `${http.url}/graphql`,
    stop: async () => {
      await disposable.dispose();
      await http.close(100);
      await apollo.stop();
    },
  };
}
