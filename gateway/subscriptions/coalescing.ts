/**
 * Entity fetches of many live events as one request. Each event of a subscription runs the
 * rest of its plan on its own (shared.ts), so a busy deployment asks a subgraph for
 * `_entities` once per event and per source: a thousand chat messages a second over a
 * hundred channels would be a thousand HTTP requests a second to community, each paying
 * the request's whole fixed cost (signing, HTTP, the subgraph's pipeline, one SQL query)
 * for one author.
 *
 * A `CoalescingDataSource` holds such a fetch for a moment, then sends every waiting fetch
 * of the same operation (with no variable but `representations`) and the same caller
 * identity as one request whose `representations` are theirs end to end; the answer's
 * `_entities` and errors are handed back to each by position. How long the moment is
 * depends on how busy the gateway is, as Nagle's algorithm does for a socket:
 *
 * - quiet (nothing was sent in the last `busyWindowMs`): until the events that arrived
 *   with the fetch have been read (`setImmediate`, after the I/O callbacks of the current
 *   loop turn), so a lone event waits for nothing but the end of its turn;
 * - busy (a batch went out less than `busyWindowMs` ago): `busyWindowMs`, so that the
 *   events of that window share one request. At 1,000 events a second from a hundred
 *   channels, each event comes in its own loop turn and batches of one turn are single
 *   events; a window of a few milliseconds makes them a handful.
 *
 * A batch goes at once when it reaches `maxRepresentations`. Anything that is not a plain
 * entity fetch goes straight to the wrapped source; when a joined answer has no
 * `_entities` list of the right length, every fetch of the batch gets that answer whole
 * (its errors included).
 */
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { GatewayContext } from '../data-sources.ts';

type Options = GraphQLDataSourceProcessOptions<GatewayContext>;

interface Waiting {
  options: Options;
  representations: unknown[];
  resolve: (response: GatewayGraphQLResponse) => void;
  reject: (err: unknown) => void;
}

interface Batch {
  waiting: Waiting[];
  size: number;
}

/** Representations per request at most: a subgraph answers them in one DataLoader batch. */
const DEFAULT_MAX_REPRESENTATIONS = 1_000;
/**
 * How long a fetch waits for others while the gateway is busy, milliseconds: what an event
 * may lose in latency under load, for a request to the subgraph shared with the events of
 * those milliseconds (see bench/README.md, R1).
 */
export const DEFAULT_BUSY_WINDOW_MS = 3;

export interface CoalescingOptions {
  /** A batch is sent as soon as it holds this many representations (1,000). */
  maxRepresentations?: number;
  /** While batches went out less than this long ago, a fetch waits this long for others (3 ms; 0: never). */
  busyWindowMs?: number;
  /** The clock `busyWindowMs` is measured on (tests). */
  now?: () => number;
}

export class CoalescingDataSource implements GraphQLDataSource<GatewayContext> {
  readonly #inner: GraphQLDataSource<GatewayContext>;
  readonly #max: number;
  readonly #busyWindowMs: number;
  readonly #now: () => number;
  readonly #batches = new Map<string, Batch>();
  #scheduled = false;
  /** When the last batch went out (on `#now`'s clock). */
  #lastSentAt = Number.NEGATIVE_INFINITY;

  constructor(inner: GraphQLDataSource<GatewayContext>, opts: CoalescingOptions = {}) {
    this.#inner = inner;
    this.#max = opts.maxRepresentations ?? DEFAULT_MAX_REPRESENTATIONS;
    this.#busyWindowMs = opts.busyWindowMs ?? DEFAULT_BUSY_WINDOW_MS;
    this.#now = opts.now ?? (() => performance.now());
  }

  process(options: Options): Promise<GatewayGraphQLResponse> {
    const key = batchKey(options);
    const representations: unknown = options.request.variables?.['representations'];
    if (key === undefined || !Array.isArray(representations)) return this.#inner.process(options);
    return new Promise((resolve, reject) => {
      let batch = this.#batches.get(key);
      if (!batch) this.#batches.set(key, (batch = { waiting: [], size: 0 }));
      batch.waiting.push({ options, representations, resolve, reject });
      batch.size += representations.length;
      if (batch.size >= this.#max) {
        this.#batches.delete(key);
        this.#lastSentAt = this.#now();
        void this.#send(batch);
      } else if (!this.#scheduled) {
        this.#scheduled = true;
        const busy = this.#now() - this.#lastSentAt < this.#busyWindowMs;
        if (busy) setTimeout(() => this.#flush(), this.#busyWindowMs);
        else setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const batches = [...this.#batches.values()];
    this.#batches.clear();
    if (batches.length) this.#lastSentAt = this.#now();
    for (const batch of batches) void this.#send(batch);
  }

  async #send(batch: Batch): Promise<void> {
    const [first, ...rest] = batch.waiting;
    if (!first) return;
    if (!rest.length) {
      this.#inner.process(first.options).then(first.resolve, first.reject);
      return;
    }
    const request = { ...first.options.request, variables: { ...first.options.request.variables, representations: batch.waiting.flatMap((w) => w.representations) } };
    let response: GatewayGraphQLResponse;
    try {
      response = await this.#inner.process({ ...first.options, request });
    } catch (err) {
      for (const w of batch.waiting) w.reject(err);
      return;
    }
    const entities = (response.data as { _entities?: unknown } | null | undefined)?._entities;
    if (!Array.isArray(entities) || entities.length !== batch.size) {
      // Not an answer that can be split: everyone gets it whole (errors and all).
      for (const w of batch.waiting) w.resolve(response);
      return;
    }
    let offset = 0;
    for (const w of batch.waiting) {
      const from = offset;
      const to = (offset += w.representations.length);
      const errors = (response.errors ?? []).flatMap((e) => {
        const at = e.path?.[0] === '_entities' && typeof e.path[1] === 'number' ? e.path[1] : undefined;
        // An error of no entity in particular concerns every fetch of the batch.
        if (at === undefined) return [e];
        if (at < from || at >= to) return [];
        return [{ ...e, path: ['_entities', at - from, ...e.path!.slice(2)] }];
      });
      const { errors: _all, ...others } = response;
      w.resolve({ ...others, data: { ...response.data, _entities: entities.slice(from, to) }, ...(errors.length ? { errors } : {}) });
    }
  }
}

/**
 * Fetches that may share a request: incoming operations whose variables are
 * `representations` and nothing else, keyed by operation and caller identity (a viewer's
 * fetch never rides with another viewer's).
 */
function batchKey(options: Options): string | undefined {
  // Only an incoming operation (not a health check or a schema load) carries its request context.
  if (!('incomingRequestContext' in options)) return undefined;
  const { query, variables } = options.request;
  if (!query || !variables || Object.keys(variables).length !== 1) return undefined;
  const identity = (options.context as Partial<GatewayContext>).identity;
  return `${JSON.stringify(identity ?? null)}\n${query}`;
}
