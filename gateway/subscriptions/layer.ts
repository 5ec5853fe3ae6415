/**
 * The gateway's subscription layer: plans each client subscription from the supergraph,
 * joins it to the shared source of identical subscriptions (or opens one), and re-plans
 * open subscriptions when a new supergraph is loaded.
 *
 * Identical means: the same operation (canonical text), the same coerced variables and
 * the same authorisation scope — the viewer the owning subgraph authorises events for, or
 * everyone for a feed (see shared.ts). A subscription that asks for a replay shares nothing.
 */
import { GraphQLError, Kind, getOperationAST, getVariableValues, parse, type DocumentNode, type GraphQLFormattedError } from 'graphql';
import type { GraphQLDataSource, ServiceMap } from '@apollo/gateway';
import type { GatewayIdentity } from '../../platform/auth/gateway-trust.ts';
import type { Logger } from '../../platform/logger.ts';
import { SupergraphPlans, asksReplay, type SubscriptionPlan } from './plans.ts';
import { SharedSubscription, type Subscriber } from './shared.ts';
import { Upstreams } from './upstream.ts';
import type { SubscriptionMetrics } from './metrics.ts';

export interface SubscribeRequest {
  query: string;
  operationName?: string | null | undefined;
  variables?: Record<string, unknown> | null | undefined;
}

export interface SubscriptionLayerOptions {
  supergraphSdl: string;
  /** Overrides of the routing URLs written in the supergraph, by subgraph name. */
  subgraphUrls: () => Partial<Record<string, string>>;
  /** The HTTP data source the entity fetches to a subgraph at `url` go through. */
  dataSource: (url: string) => GraphQLDataSource;
  gatewaySecret: string;
  metrics: SubscriptionMetrics;
  logger: Logger;
}

/** Parsed documents and their plans are kept for this many distinct operations. */
const PLAN_CACHE_SIZE = 1000;

export class SubscriptionLayer {
  readonly #o: SubscriptionLayerOptions;
  readonly #upstreams: Upstreams;
  readonly #shared = new Map<string, SharedSubscription & { document: DocumentNode; operationName: string | undefined }>();
  readonly #plansByQuery = new Map<string, { document: DocumentNode; plan: SubscriptionPlan | GraphQLError[] }>();
  readonly #dataSources = new Map<string, { url: string; source: GraphQLDataSource }>();
  #plans: SupergraphPlans;
  #replays = 0;

  constructor(opts: SubscriptionLayerOptions) {
    this.#o = opts;
    this.#plans = new SupergraphPlans(opts.supergraphSdl);
    this.#upstreams = new Upstreams({ urlOf: (name) => this.#urlOf(name), gatewaySecret: opts.gatewaySecret, logger: opts.logger });
  }

  #urlOf(subgraph: string): string | undefined {
    return this.#o.subgraphUrls()[subgraph] ?? this.#plans.routingUrls.get(subgraph);
  }

  /** One HTTP data source per subgraph, rebuilt when its URL changes. */
  #serviceMap(): ServiceMap {
    const map: ServiceMap = {};
    for (const name of this.#plans.routingUrls.keys()) {
      const url = this.#urlOf(name);
      if (!url) continue;
      let entry = this.#dataSources.get(name);
      if (entry?.url !== url) {
        entry = { url, source: this.#o.dataSource(url) };
        this.#dataSources.set(name, entry);
      }
      map[name] = entry.source;
    }
    return map;
  }

  /** Distinct shared sources open now. */
  get sharedCount(): number {
    return this.#shared.size;
  }

  /**
   * Starts a client subscription. Returns the function that ends it, or the errors that
   * refuse it (bad document, bad variables).
   */
  subscribe(req: SubscribeRequest, identity: GatewayIdentity, subscriber: Subscriber): (() => void) | GraphQLFormattedError[] {
    const operationName = req.operationName ?? undefined;
    const planned = this.#plan(req.query, operationName);
    if (Array.isArray(planned.plan)) return planned.plan.map((e) => e.toJSON());
    const plan = planned.plan;
    const coerced = getVariableValues(this.#plans.schema, plan.operationContext.operation.variableDefinitions ?? [], req.variables ?? {});
    if (coerced.errors) return coerced.errors.map((e) => new GraphQLError(e.message, { extensions: { code: 'BAD_USER_INPUT' } }).toJSON());
    const variables = coerced.coerced;
    // A replay is a subscriber's own: what it sends first depends on when it started.
    const replay = asksReplay(plan, variables);
    const feed = plan.sharedAcrossViewers && !replay;
    const scope = replay ? `replay:${++this.#replays}` : feed ? '*' : `user:${identity.userId ?? ''}`;
    const key = `${scope}\n${stableJson(variables)}\n${plan.canonical}`;
    let shared = this.#shared.get(key);
    if (!shared) {
      const created = Object.assign(
        new SharedSubscription(
          {
            upstreams: this.#upstreams,
            dataSources: () => this.#serviceMap(),
            plans: () => this.#plans,
            metrics: this.#o.metrics,
            logger: this.#o.logger,
            release: (k) => {
              this.#shared.delete(k);
              this.#o.metrics.sharedSubscriptions.set(this.#shared.size);
            },
          },
          key,
          plan,
          variables,
          feed ? 'feed' : { userId: identity.userId, sessionId: null },
        ),
        { document: planned.document, operationName },
      );
      this.#shared.set(key, created);
      this.#o.metrics.sharedSubscriptions.set(this.#shared.size);
      shared = created;
      shared.add(subscriber, identity);
      shared.start();
    } else {
      shared.add(subscriber, identity);
    }
    const joined = shared;
    return () => joined.remove(subscriber, identity);
  }

  /**
   * Loads a new supergraph. Open subscriptions are re-planned against it and continue;
   * one whose operation is no longer valid ends with the validation errors.
   */
  reload(supergraphSdl: string): void {
    const plans = new SupergraphPlans(supergraphSdl);
    this.#plans = plans;
    this.#plansByQuery.clear();
    for (const shared of [...this.#shared.values()]) {
      const plan = plans.plan(shared.document, shared.operationName);
      if (Array.isArray(plan)) shared.fail(plan.map((e) => e.toJSON()));
      else shared.replan(plan);
    }
    this.#o.logger.info({ subscriptions: this.#shared.size }, 'supergraph reloaded; open subscriptions re-planned');
  }

  async close(): Promise<void> {
    for (const shared of [...this.#shared.values()]) shared.fail([{ message: 'The gateway is shutting down.', extensions: { code: 'SHUTTING_DOWN' } }]);
    await this.#upstreams.close();
  }

  #plan(query: string, operationName: string | undefined): { document: DocumentNode; plan: SubscriptionPlan | GraphQLError[] } {
    const cacheKey = `${operationName ?? ''}\n${query}`;
    const cached = this.#plansByQuery.get(cacheKey);
    if (cached) return cached;
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (err) {
      const message = err instanceof GraphQLError ? err.message : 'The document could not be parsed.';
      return { document: { kind: Kind.DOCUMENT, definitions: [] }, plan: [new GraphQLError(message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })] };
    }
    let plan: SubscriptionPlan | GraphQLError[];
    try {
      plan = this.#plans.plan(document, operationName);
    } catch (err) {
      this.#o.logger.error({ err }, 'subscription planning failed');
      plan = [new GraphQLError('The subscription could not be planned.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })];
    }
    if (!Array.isArray(plan) && getOperationAST(document, operationName)) {
      if (this.#plansByQuery.size >= PLAN_CACHE_SIZE) this.#plansByQuery.delete(this.#plansByQuery.keys().next().value ?? '');
      this.#plansByQuery.set(cacheKey, { document, plan });
    }
    return { document, plan };
  }
}

/** JSON with object keys sorted, so equal variables give equal keys. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
