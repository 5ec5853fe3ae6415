import { buildSchema, execute, GraphQLError, GraphQLObjectType, parse, type GraphQLFieldResolver } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { OperationCompiler } from './compiled-execution.ts';

interface Event {
  id: string;
  body: string | null;
  authorId: string;
  hidden?: boolean;
}

const schema = buildSchema(/* GraphQL */ `
  type Query { ping: Boolean }
  enum Kind { TEXT SYSTEM }
  input Filter { kinds: [Kind!]! = [TEXT], from: Int = 0 }
  type User { id: ID! name: String! }
  type Message { id: ID! body: String! author: User! kind: Kind! seenBy(viewer: ID): String }
  type Subscription { messageAdded(channelId: ID!, after: Int): Message, filtered(filter: Filter!): Message }
`);
/** Sets a field's resolver, as a subgraph's resolver map would. */
function resolve(type: string, field: string, resolver: GraphQLFieldResolver<Event, { names: Map<string, string> }, never>): void {
  const t = schema.getType(type);
  if (!(t instanceof GraphQLObjectType)) throw new Error(`no type ${type}`);
  t.getFields()[field]!.resolve = resolver as GraphQLFieldResolver<unknown, unknown>;
}
resolve('Subscription', 'messageAdded', (e) => {
  if (e.hidden) throw new GraphQLError('You can no longer read this channel.', { extensions: { code: 'FORBIDDEN' } });
  return e;
});
resolve('Subscription', 'filtered', (e, args: { filter: { kinds: string[]; from: number } }) => ({ ...e, body: `${args.filter.kinds.join(',')}@${args.filter.from}` }));
resolve('Message', 'author', (m, _args, ctx) => ({ id: m.authorId, name: ctx.names.get(m.authorId) }));
resolve('Message', 'kind', () => 'TEXT');
resolve('Message', 'seenBy', (_m, args: { viewer?: string | null }) => args.viewer ?? null);

const LIVE = parse(`subscription Live($c: ID!, $after: Int, $v: ID) { messageAdded(channelId: $c, after: $after) { id body kind seenBy(viewer: $v) author { __typename id name } } }`);
const FILTERED = parse(`subscription Filtered($f: Filter!) { filtered(filter: $f) { id body } }`);
const context = { names: new Map([['u1', 'Alice']]) };
const byGraphqlJs = (document: typeof LIVE, rootValue: Event, variableValues: Record<string, unknown>) => execute({ schema, document, rootValue, contextValue: context, variableValues });

describe('OperationCompiler', () => {
  it('executes each event as graphql-js does: data, a field error with its code, and a null where a non-null field is', async () => {
    const compiler = new OperationCompiler(schema, createLogger('silent'));
    const run = compiler.operation(LIVE, 'Live');
    const variables = { c: 'channel-1', v: 'viewer-1' };
    const events: Event[] = [
      { id: 'm1', body: 'hello', authorId: 'u1' },
      { id: 'm2', body: 'hidden', authorId: 'u1', hidden: true },
      // `body` is non-null: the message becomes null, with an error at its path.
      { id: 'm3', body: null, authorId: 'u1' },
      // `author.name` is non-null and unknown: the error bubbles up to the message.
      { id: 'm4', body: 'who?', authorId: 'u2' },
    ];
    for (const event of events) {
      const compiled = JSON.parse(JSON.stringify(await run(event, context, variables))) as unknown;
      const reference = JSON.parse(JSON.stringify(await byGraphqlJs(LIVE, event, variables))) as unknown;
      expect(compiled).toEqual(reference);
    }
    const hidden = await run(events[1]!, context, variables);
    expect(hidden.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(hidden.errors?.[0]?.originalError).toBeInstanceOf(GraphQLError);
    // Compiled once per document and operation.
    expect(compiler.operation(LIVE, 'Live')).toBe(run);
  });

  it('applies the default values of an input object variable\'s fields (such operations run on graphql-js)', async () => {
    const compiler = new OperationCompiler(schema, createLogger('silent'));
    const result = await compiler.operation(FILTERED, 'Filtered')({ id: 'm1', body: 'x', authorId: 'u1' }, context, { f: {} });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ filtered: { id: 'm1', body: 'TEXT@0' } });
  });
});
