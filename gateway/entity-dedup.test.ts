import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The enum is not exported from the package's entry point.
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types.js';
import { SignedDataSource } from './data-sources.ts';
import { dedupeRepresentations } from './entity-dedup.ts';

const user = (id: string) => ({ __typename: 'User', id });

describe('dedupeRepresentations', () => {
  it('sends each representation once and gives every position its own copy of the answer', () => {
    const d = dedupeRepresentations({ representations: [user('a'), user('b'), user('a'), user('a')], other: 1 });
    expect(d?.variables).toEqual({ representations: [user('a'), user('b')], other: 1 });
    const answer = { data: { _entities: [{ name: 'A', tracks: { edges: [] } }, { name: 'B', tracks: { edges: [] } }] } };
    const expanded = d!.expand(answer).data['_entities'] as { name: string; tracks: { edges: unknown[] } }[];
    expect(expanded.map((e) => e.name)).toEqual(['A', 'B', 'A', 'A']);
    // What the executor merges into one position stays there.
    expanded[2]!.tracks.edges.push('only mine');
    expect(expanded[0]!.tracks.edges).toEqual([]);
    expect(expanded[3]!.tracks.edges).toEqual([]);
  });

  it('reports an error about one representation at every position that asked for it', () => {
    const d = dedupeRepresentations({ representations: [user('a'), user('b'), user('b')] })!;
    const { errors } = d.expand({
      data: { _entities: [{ name: 'A' }, null] },
      errors: [
        { message: 'b is gone', path: ['_entities', 1, 'name'] },
        { message: 'no path' },
      ],
    });
    expect(errors).toEqual([
      { message: 'b is gone', path: ['_entities', 1, 'name'] },
      { message: 'b is gone', path: ['_entities', 2, 'name'] },
      { message: 'no path' },
    ]);
  });

  it('leaves requests without repeats, or without representations, as they are', () => {
    expect(dedupeRepresentations({ representations: [user('a'), user('b')] })).toBeUndefined();
    expect(dedupeRepresentations({ id: 'x' })).toBeUndefined();
    expect(dedupeRepresentations(undefined)).toBeUndefined();
  });
});

describe('SignedDataSource entity fetches', () => {
  /** A subgraph stand-in that records the representations it is sent and names each one. */
  const received: unknown[][] = [];
  let server: Server;
  let url = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const reps = (JSON.parse(body) as { variables: { representations: { id: string }[] } }).variables.representations;
        received.push(reps);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ data: { _entities: reps.map((r) => ({ __typename: 'User', displayName: `user ${r.id}` })) } }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('asks the subgraph once per distinct entity and answers every position in order', async () => {
    const source = new SignedDataSource(url, 'a-secret-shared-by-gateway-and-subgraphs');
    const response = await source.process({
      kind: GraphQLDataSourceRequestKind.HEALTH_CHECK,
      context: { identity: { userId: null, sessionId: null } },
      request: {
        query: 'query($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { displayName } } }',
        variables: { representations: [user('1'), user('2'), user('1'), user('1'), user('2')] },
      },
    });
    expect(received).toEqual([[user('1'), user('2')]]);
    expect((response.data?.['_entities'] as { displayName: string }[]).map((e) => e.displayName)).toEqual(['user 1', 'user 2', 'user 1', 'user 1', 'user 2']);
  });
});
