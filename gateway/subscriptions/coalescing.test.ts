import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { GatewayContext } from '../data-sources.ts';
import { CoalescingDataSource } from './coalescing.ts';

type Options = GraphQLDataSourceProcessOptions<GatewayContext>;
const ENTITIES = 'query($representations:[_Any!]!){_entities(representations:$representations){...on User{displayName}}}';

/** A subgraph stand-in answering `_entities` from a table, recording each request it gets. */
class FakeSubgraph implements GraphQLDataSource<GatewayContext> {
  readonly requests: Options['request'][] = [];
  readonly answer: (reps: { id: string }[]) => GatewayGraphQLResponse;
  constructor(answer?: (reps: { id: string }[]) => GatewayGraphQLResponse) {
    this.answer = answer ?? ((reps) => ({ data: { _entities: reps.map((r) => ({ displayName: `name of ${r.id}` })) } }));
  }
  async process(options: Options): Promise<GatewayGraphQLResponse> {
    this.requests.push(options.request);
    return this.answer((options.request.variables?.['representations'] ?? []) as { id: string }[]);
  }
}

const fetchOf = (ids: string[], viewer = 'feed', query = ENTITIES): Options =>
  ({
    kind: 'incoming operation',
    request: { query, variables: { representations: ids.map((id) => ({ __typename: 'User', id })) } },
    context: { identity: { kind: 'user', userId: viewer } },
    incomingRequestContext: {},
  }) as unknown as Options;

describe('CoalescingDataSource', () => {
  it('sends the entity fetches of one loop turn as one request and hands each its own entities', async () => {
    const subgraph = new FakeSubgraph();
    const source = new CoalescingDataSource(subgraph);
    const answers = await Promise.all([source.process(fetchOf(['a'])), source.process(fetchOf(['b', 'c'])), source.process(fetchOf(['d']))]);
    expect(subgraph.requests).toHaveLength(1);
    expect((subgraph.requests[0]!.variables!['representations'] as { id: string }[]).map((r) => r.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(answers.map((a) => (a.data as { _entities: { displayName: string }[] })._entities.map((e) => e.displayName))).toEqual([['name of a'], ['name of b', 'name of c'], ['name of d']]);
  });

  it('never joins fetches of different viewers or different operations', async () => {
    const subgraph = new FakeSubgraph();
    const source = new CoalescingDataSource(subgraph);
    await Promise.all([source.process(fetchOf(['a'], 'ada')), source.process(fetchOf(['b'], 'bob')), source.process(fetchOf(['c'], 'ada', ENTITIES.replace('displayName', 'handle')))]);
    expect(subgraph.requests).toHaveLength(3);
  });

  it('gives each fetch the errors of its own entities, with their paths renumbered', async () => {
    const subgraph = new FakeSubgraph((reps) => ({
      data: { _entities: reps.map((r) => (r.id === 'c' ? null : { displayName: r.id })) },
      errors: [{ message: 'c is gone', path: ['_entities', 2, 'displayName'] }, { message: 'slow today' }],
    }));
    const source = new CoalescingDataSource(subgraph);
    const [first, second] = await Promise.all([source.process(fetchOf(['a'])), source.process(fetchOf(['b', 'c']))]);
    expect(first.errors?.map((e) => e.message)).toEqual(['slow today']);
    expect(second.errors?.map((e) => [e.message, e.path])).toEqual([['c is gone', ['_entities', 1, 'displayName']], ['slow today', undefined]]);
    expect((second.data as { _entities: unknown[] })._entities).toEqual([{ displayName: 'b' }, null]);
  });

  it('hands an answer it cannot split to every fetch whole, and a failure to every fetch', async () => {
    const broken = new CoalescingDataSource(new FakeSubgraph(() => ({ data: null, errors: [{ message: 'subgraph down' }] })));
    const whole = await Promise.all([broken.process(fetchOf(['a'])), broken.process(fetchOf(['b']))]);
    expect(whole.map((a) => a.errors?.[0]?.message)).toEqual(['subgraph down', 'subgraph down']);
    const failing = new CoalescingDataSource({ process: () => Promise.reject(new Error('connection refused')) });
    const settled = await Promise.allSettled([failing.process(fetchOf(['a'])), failing.process(fetchOf(['b']))]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
  });

  it('passes anything but a plain entity fetch straight through, and caps a batch', async () => {
    const subgraph = new FakeSubgraph();
    const source = new CoalescingDataSource(subgraph, { maxRepresentations: 2 });
    const other = { ...fetchOf(['a']), request: { query: '{ me { id } }', variables: {} } } as unknown as Options;
    await Promise.all([source.process(other), source.process(fetchOf(['a', 'b'])), source.process(fetchOf(['c'])), source.process(fetchOf(['d']))]);
    expect(subgraph.requests.map((r) => ((r.variables?.['representations'] ?? []) as { id: string }[]).map((x) => x.id))).toEqual([[], ['a', 'b'], ['c', 'd']]);
  });

  describe('while busy', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('waits the busy window for more fetches once a batch went out less than that window ago, and goes at once again when quiet', async () => {
      vi.useFakeTimers();
      let clock = 1_000;
      const subgraph = new FakeSubgraph();
      const source = new CoalescingDataSource(subgraph, { busyWindowMs: 3, now: () => clock });
      const ids = () => subgraph.requests.map((r) => ((r.variables?.['representations'] ?? []) as { id: string }[]).map((x) => x.id));
      // Quiet: the first fetch goes at the end of its loop turn.
      const first = source.process(fetchOf(['a']));
      await vi.advanceTimersToNextTimerAsync();
      expect(ids()).toEqual([['a']]);
      // 1 ms later the gateway is busy: this fetch waits the window, and the next one joins it.
      clock += 1;
      const second = source.process(fetchOf(['b']));
      await vi.advanceTimersByTimeAsync(1);
      expect(ids()).toEqual([['a']]);
      clock += 1;
      const third = source.process(fetchOf(['c']));
      await vi.advanceTimersByTimeAsync(2);
      expect(ids()).toEqual([['a'], ['b', 'c']]);
      // After a quiet window, at once again.
      clock += 10;
      const fourth = source.process(fetchOf(['d']));
      await vi.advanceTimersToNextTimerAsync();
      expect(ids()).toEqual([['a'], ['b', 'c'], ['d']]);
      const answers = await Promise.all([first, second, third, fourth]);
      expect(answers.map((a) => (a.data as { _entities: { displayName: string }[] })._entities[0]!.displayName)).toEqual(['name of a', 'name of b', 'name of c', 'name of d']);
    });

    it('never waits past the loop turn with a window of 0, even right after a batch went out', async () => {
      vi.useFakeTimers();
      let clock = 1_000;
      const subgraph = new FakeSubgraph();
      const source = new CoalescingDataSource(subgraph, { busyWindowMs: 0, now: () => clock });
      const first = source.process(fetchOf(['a']));
      await vi.advanceTimersByTimeAsync(0);
      clock += 1;
      const second = source.process(fetchOf(['b']));
      // No time passes: only what was due at once (the end of the turn) runs.
      await vi.advanceTimersByTimeAsync(0);
      expect(subgraph.requests).toHaveLength(2);
      await Promise.all([first, second]);
    });
  });
});
