/**
 * One upstream subscription shared by every identical client subscription (same operation,
 * variables and authorisation scope). For each event it runs the plan's entity fetches
 * once, serialises the result once, and hands the same bytes to every subscriber. Events
 * are delivered in the order the subgraph sent them, even though their entity fetches
 * may overlap.
 *
 * The scope is one viewer, or — for subscriptions whose events are the same for every
 * authorised viewer (see `sharedAcrossViewers`) — everyone: then the upstream is a *feed*
 * opened without a viewer, and each viewer has a *guard*, a subscription of their own that
 * the owning subgraph authorises, answers with "granted", and ends with an error the
 * moment the viewer loses access. Only viewers whose guard is granted get the feed.
 */
import { executeQueryPlan, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import type { GraphQLFormattedError } from 'graphql';
import type { GatewayIdentity } from '../../platform/auth/gateway-trust.ts';
import type { Logger } from '../../platform/logger.ts';
import type { GatewayContext } from '../data-sources.ts';
import { ANONYMOUS } from '../identity.ts';
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

/** The client subscriptions of one viewer on a shared source. */
interface ViewerGroup {
  identity: GatewayIdentity;
  subscribers: Set<Subscriber>;
  /** Whether the viewer may have the events (always, when the source runs as that viewer). */
  granted: boolean;
  /** Feed events that came while the guard was being granted, delivered once it is. */
  pending: string[];
  stopGuard: (() => void) | undefined;
  retryMs: number;
  retryTimer: NodeJS.Timeout | undefined;
}

const RETRY_MIN_MS = 100;
/** Feed events kept for a viewer whose guard is not granted yet. */
const MAX_PENDING = 1000;
const RETRY_MAX_MS = 5_000;

export class SharedSubscription {
  readonly #groups = new Map<string, ViewerGroup>();
  readonly #ctx: SharedContext;
  /** Who the upstream runs as: the one viewer, or nobody for a feed. */
  readonly #identity: GatewayIdentity;
  readonly #feed: boolean;
  readonly #variables: Record<string, unknown>;
  #plan: SubscriptionPlan;
  #stopUpstream: (() => void) | undefined;
  #tail: Promise<void> = Promise.resolve();
  #ended = false;
  #retryMs = RETRY_MIN_MS;
  #retryTimer: NodeJS.Timeout | undefined;

  readonly key: string;

  /** `scope`: the viewer the upstream runs as, or `'feed'` for one shared across viewers. */
  constructor(ctx: SharedContext, key: string, plan: SubscriptionPlan, variables: Record<string, unknown>, scope: GatewayIdentity | 'feed') {
    this.key = key;
    this.#ctx = ctx;
    this.#plan = plan;
    this.#variables = variables;
    this.#feed = scope === 'feed';
    this.#identity = scope === 'feed' ? ANONYMOUS : scope;
  }

  /** Client subscriptions on this source. */
  get size(): number {
    let n = 0;
    for (const g of this.#groups.values()) n += g.subscribers.size;
    return n;
  }

  get plan(): SubscriptionPlan {
    return this.#plan;
  }

  start(): void {
    this.#open();
  }

  add(subscriber: Subscriber, viewer: GatewayIdentity): void {
    const id = viewer.userId ?? '';
    let group = this.#groups.get(id);
    if (!group) {
      group = { identity: { userId: viewer.userId, sessionId: null }, subscribers: new Set(), granted: !this.#feed, pending: [], stopGuard: undefined, retryMs: RETRY_MIN_MS, retryTimer: undefined };
      this.#groups.set(id, group);
      if (this.#feed) this.#openGuard(group);
    }
    group.subscribers.add(subscriber);
  }

  remove(subscriber: Subscriber, viewer: GatewayIdentity): void {
    const id = viewer.userId ?? '';
    const group = this.#groups.get(id);
    if (!group?.subscribers.delete(subscriber)) return;
    if (group.subscribers.size === 0) this.#dropGroup(id, group);
    if (this.#groups.size === 0) this.#end();
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
    for (const [id, group] of [...this.#groups]) {
      this.#dropGroup(id, group);
      for (const s of group.subscribers) s.error(errors);
    }
    this.#end();
  }

  #dropGroup(id: string, group: ViewerGroup): void {
    this.#groups.delete(id);
    clearTimeout(group.retryTimer);
    group.stopGuard?.();
    group.stopGuard = undefined;
  }

  /** A viewer's guard: authorised by the owning subgraph, ended by it when access is lost. */
  #openGuard(group: ViewerGroup): void {
    const primary = this.#plan.primary;
    this.#ctx.metrics.upstreamsOpened.inc();
    let stop: (() => void) | undefined;
    const reopen = () => {
      if (group.stopGuard !== stop || this.#groups.get(group.identity.userId ?? '') !== group) return;
      group.stopGuard = undefined;
      group.retryTimer = setTimeout(() => this.#openGuard(group), group.retryMs);
      group.retryMs = Math.min(group.retryMs * 2, RETRY_MAX_MS);
    };
    const endGroup = (end: (s: Subscriber) => void) => {
      const id = group.identity.userId ?? '';
      if (this.#groups.get(id) !== group) return;
      this.#dropGroup(id, group);
      for (const s of group.subscribers) end(s);
      if (this.#groups.size === 0) this.#end();
    };
    try {
      stop = this.#ctx.upstreams.subscribe(
        { subgraph: primary.serviceName, query: primary.operation, operationName: primary.operationName, variables: variablesFor(primary, this.#variables), identity: group.identity, mode: 'guard' },
        {
          next: (event) => {
            if ((event.extensions as Record<string, unknown> | undefined)?.['guard'] === 'granted') {
              group.retryMs = RETRY_MIN_MS;
              // In the delivery order: feed events queued before this point went to `pending`.
              this.#afterPending(() => {
                if (group.granted) return;
                group.granted = true;
                this.#ctx.metrics.guardsGranted.inc();
                for (const payload of group.pending) for (const s of group.subscribers) s.next(payload);
                group.pending = [];
              });
              return;
            }
            if (!event.errors?.length) return;
            // Access lost: the viewer's last result is the subgraph's error, after what was already on its way.
            const payload = JSON.stringify({ data: null, errors: event.errors });
            this.#afterPending(() =>
              endGroup((s) => {
                s.next(payload);
                s.complete();
              }),
            );
          },
          refused: (errors) => this.#afterPending(() => endGroup((s) => s.error(errors))),
          complete: () => this.#afterPending(() => endGroup((s) => s.complete())),
          lost: reopen,
        },
      );
    } catch (err) {
      this.#ctx.logger.error({ err, subgraph: primary.serviceName }, 'could not open a subscription guard');
      group.retryTimer = setTimeout(() => this.#openGuard(group), group.retryMs);
      return;
    }
    group.stopGuard = stop;
  }

  #open(): void {
    if (this.#ended) return;
    const primary = this.#plan.primary;
    this.#ctx.metrics.upstreamsOpened.inc();
    let stop: (() => void) | undefined;
    try {
      stop = this.#ctx.upstreams.subscribe(
        { subgraph: primary.serviceName, query: primary.operation, operationName: primary.operationName, variables: variablesFor(primary, this.#variables), identity: this.#identity, ...(this.#feed ? { mode: 'feed' as const } : {}) },
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
    if (this.#feed && !event.data && event.errors?.length) {
      // The feed itself was refused or ended with errors: it is everyone's last result.
      const payload = JSON.stringify({ data: null, errors: event.errors });
      this.#afterPending(() => {
        for (const [id, group] of [...this.#groups]) {
          this.#dropGroup(id, group);
          for (const s of group.subscribers) {
            s.next(payload);
            s.complete();
          }
        }
        this.#end();
      });
      return;
    }
    const plan = this.#plan;
    const resolved = this.#resolve(plan, event);
    this.#tail = this.#tail.then(async () => {
      const payload = await resolved;
      if (this.#ended) return;
      let delivered = 0;
      for (const [id, group] of [...this.#groups]) {
        if (!group.granted) {
          group.pending.push(payload);
          if (group.pending.length > MAX_PENDING) {
            this.#dropGroup(id, group);
            for (const s of group.subscribers) s.error([{ message: 'Access was not confirmed in time; subscribe again.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
          }
          continue;
        }
        for (const s of group.subscribers) s.next(payload);
        delivered += group.subscribers.size;
      }
      if (this.#groups.size === 0) this.#end();
      this.#ctx.metrics.deliveries.inc(delivered);
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
    for (const [id, group] of [...this.#groups]) {
      this.#dropGroup(id, group);
      for (const s of group.subscribers) s.complete();
    }
    this.#end();
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const [id, group] of [...this.#groups]) this.#dropGroup(id, group);
    clearTimeout(this.#retryTimer);
    this.#stopUpstream?.();
    this.#stopUpstream = undefined;
    this.#ctx.release(this.key);
  }
}
