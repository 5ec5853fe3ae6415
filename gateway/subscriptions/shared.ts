/**
 * One upstream subscription shared by every identical client subscription (same operation,
 * variables and authorisation scope). For each event it runs the plan's entity fetches
 * once, serialises the result once, and hands the same bytes to every subscriber. Events
 * are delivered in the order the subgraph sent them, even though their entity fetches
 * may overlap.
 */
import { executeQueryPlan, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import type { GraphQLFormattedError } from 'graphql';
import type { GatewayIdentity } from '../../platform/auth/gateway-trust.ts';
import type { Logger } from '../../platform/logger.ts';
import type { GatewayContext } from '../data-sources.ts';
import { variablesFor, type SubscriptionPlan, type SupergraphPlans } from './plans.ts';
import type { UpstreamEvent, Upstreams } from './upstream.ts';
import type { SubscriptionMetrics } from './metrics.ts';

type RequestContext = Parameters<typeof executeQueryPlan>[2];
type ProcessOptions = Parameters<GraphQLDataSource['process']>[0];

/** A client subscription, as the shared source sees it. */
export interface Subscriber {
  /** `payload` is the serialised execution result (`{"data":…}`), the same string for every subscriber. */
  next(payload: string): void;
  /** The subscription was refused or failed for good. */
  error(errors: readonly GraphQLFormattedError[]): void;
  complete(): void;
}

/** What a shared subscription needs from the layer that owns it. */
export interface SharedContext {
  upstreams: Upstreams;
  dataSources: () => ServiceMap;
  plans: () => SupergraphPlans;
  metrics: SubscriptionMetrics;
  logger: Logger;
  /** Called once the last subscriber left or the subscription ended. */
  release: (key: string) => void;
}

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;

export class SharedSubscription {
  readonly subscribers = new Set<Subscriber>();
  readonly #ctx: SharedContext;
  readonly #identity: GatewayIdentity;
  readonly #variables: Record<string, unknown>;
  #plan: SubscriptionPlan;
  #stopUpstream: (() => void) | undefined;
  #tail: Promise<void> = Promise.resolve();
  #ended = false;
  #retryMs = RETRY_MIN_MS;
  #retryTimer: NodeJS.Timeout | undefined;

  readonly key: string;

  constructor(ctx: SharedContext, key: string, plan: SubscriptionPlan, variables: Record<string, unknown>, identity: GatewayIdentity) {
    this.key = key;
    this.#ctx = ctx;
    this.#plan = plan;
    this.#variables = variables;
    this.#identity = identity;
  }

  get plan(): SubscriptionPlan {
    return this.#plan;
  }

  start(): void {
    this.#open();
  }

  add(subscriber: Subscriber): void {
    this.subscribers.add(subscriber);
  }

  remove(subscriber: Subscriber): void {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size === 0) this.#end();
  }

  /**
   * Takes a new plan (after a supergraph reload). When the upstream part is unchanged the
   * upstream subscription stays open and only the per-event part changes, so nothing is
   * missed; otherwise the new upstream opens before the old one closes.
   */
  replan(plan: SubscriptionPlan): void {
    const before = this.#plan.primary;
    this.#plan = plan;
    if (before.serviceName === plan.primary.serviceName && before.operation === plan.primary.operation) return;
    const old = this.#stopUpstream;
    this.#open();
    old?.();
  }

  /** Ends every client subscription with `errors` (the operation no longer exists, shutdown...). */
  fail(errors: readonly GraphQLFormattedError[]): void {
    for (const s of [...this.subscribers]) s.error(errors);
    this.subscribers.clear();
    this.#end();
  }

  #open(): void {
    if (this.#ended) return;
    const primary = this.#plan.primary;
    this.#ctx.metrics.upstreamsOpened.inc();
    let stop: (() => void) | undefined;
    try {
      stop = this.#ctx.upstreams.subscribe(
        { subgraph: primary.serviceName, query: primary.operation, operationName: primary.operationName, variables: variablesFor(primary, this.#variables), identity: this.#identity },
        {
          next: (event) => {
            this.#retryMs = RETRY_MIN_MS;
            this.#onEvent(event);
          },
          refused: (errors) => this.#afterPending(() => this.fail(errors)),
          complete: () => this.#afterPending(() => this.#completeAll()),
          lost: (reason) => {
            if (this.#stopUpstream !== stop) return;
            this.#ctx.logger.warn({ subgraph: primary.serviceName, reason }, 'upstream subscription lost; reopening');
            this.#scheduleReopen();
          },
        },
      );
    } catch (err) {
      this.#ctx.logger.error({ err, subgraph: primary.serviceName }, 'could not open upstream subscription');
      this.#scheduleReopen();
      return;
    }
    this.#stopUpstream = stop;
  }

  #scheduleReopen(): void {
    if (this.#ended || this.#retryTimer) return;
    this.#stopUpstream = undefined;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#open();
    }, this.#retryMs);
    this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS);
  }

  #onEvent(event: UpstreamEvent): void {
    this.#ctx.metrics.events.inc();
    const plan = this.#plan;
    const resolved = this.#resolve(plan, event);
    this.#tail = this.#tail.then(async () => {
      const payload = await resolved;
      if (this.#ended) return;
      this.#ctx.metrics.deliveries.inc(this.subscribers.size);
      for (const s of this.subscribers) s.next(payload);
    });
  }

  /** Runs the per-event plan with the event standing in for the primary fetch; returns the serialised result. */
  async #resolve(plan: SubscriptionPlan, event: UpstreamEvent): Promise<string> {
    try {
      const real = this.#ctx.dataSources();
      const primary = plan.primary;
      let answered = false;
      const eventSource: GraphQLDataSource = {
        process: async (options: ProcessOptions) => {
          // The first call for the primary operation is the event; any later call to the same subgraph is a real fetch.
          if (!answered && options.request.query === primary.operation) {
            answered = true;
            return { data: event.data ?? null, ...(event.errors ? { errors: event.errors } : {}) };
          }
          const source = real[primary.serviceName];
          if (!source) throw new Error(`no data source for ${primary.serviceName}`);
          return source.process(options);
        },
      };
      const serviceMap: ServiceMap = { ...real, [primary.serviceName]: eventSource };
      const plans = this.#ctx.plans();
      const context: GatewayContext = { identity: this.#identity };
      // Apollo's executor reads the variables, the context and its metrics slot from the request context.
      const requestContext = { request: { query: plan.canonical, variables: this.#variables }, context, metrics: {}, logger: this.#ctx.logger } as unknown as RequestContext;
      const result = await executeQueryPlan(plan.perEvent, serviceMap, requestContext, plan.operationContext, plans.supergraphSchema, plans.apiSchema);
      // GraphQLError serialises itself (toJSON) to the spec's error shape.
      return JSON.stringify(result.errors ? { data: result.data ?? null, errors: result.errors } : { data: result.data });
    } catch (err) {
      this.#ctx.logger.error({ err }, 'subscription event could not be resolved');
      return JSON.stringify({ data: null, errors: [{ message: 'Internal server error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
    }
  }

  /** Runs `fn` once every event already received has been delivered. */
  #afterPending(fn: () => void): void {
    this.#tail = this.#tail.then(fn);
  }

  #completeAll(): void {
    for (const s of [...this.subscribers]) s.complete();
    this.subscribers.clear();
    this.#end();
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#retryTimer);
    this.#stopUpstream?.();
    this.#stopUpstream = undefined;
    this.#ctx.release(this.key);
  }
}
