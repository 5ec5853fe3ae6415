/**
 * What a subgraph is, to the platform: its SDL, resolvers, entities and migrations, how
 * it builds a per-request context, and any background work it runs (event consumers).
 * `startSubgraph` turns one into a running server; the same module runs alone in its own
 * process or beside the others in the embedded profile.
 */
import type { DocumentNode } from 'graphql';
import type { MigrationObject, EntityClass, EntitySchema, AnyEntity } from '@mikro-orm/core';
import type { SubgraphName, VezaConfig } from '../config.ts';
import type { Database, EntityManager } from '../db/orm.ts';
import type { EventBus } from '../events/bus.ts';
import type { PubSubEngine } from '../events/pubsub.ts';
import type { Logger } from '../logger.ts';
import type { ServiceMetrics } from '../metrics.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { GatewayIdentity } from '../auth/gateway-trust.ts';
import type { Routes } from '../http/server.ts';
import type { InternalClient } from './internal-client.ts';
import type { RateLimiter } from '../rate-limit.ts';
import type { JobQueue } from '../queue/queue.ts';
import type { LiveMode } from './live-modes.ts';

/** Everything a subgraph may use from the platform; built once per process. */
export interface PlatformServices {
  config: VezaConfig;
  logger: Logger;
  bus: EventBus;
  pubsub: PubSubEngine;
  store: ObjectStore;
  /** Durable background jobs (BullMQ on Redis in production, a PostgreSQL table in the embedded profile). */
  jobs: JobQueue;
  /** The gateway's address as clients reach it; known once the gateway listens. */
  publicUrl: () => string;
  /** Shared rate limits (Redis in production, memory in the embedded profile). */
  rateLimiter: RateLimiter;
  /** Calls another subgraph's API as a trusted service. */
  internal: InternalClient;
  gatewaySecret: string;
  databaseUrl: string;
}

/** Per-request context every subgraph context extends. */
export interface BaseSubgraphContext {
  /** The request's own entity manager, forked from the subgraph's on first use (see `baseContext`). */
  readonly em: EntityManager;
  viewer: GatewayIdentity;
  /**
   * For a subscription: whether it is the viewer's own (`direct`), a feed the gateway shares
   * among viewers it keeps authorised, or a viewer's guard (platform/subgraph/live-modes.ts).
   */
  live?: LiveMode;
}

/**
 * A base context whose entity manager is forked when first read: a live event is executed
 * with a context of its own (platform/subgraph/subscriptions.ts), and most events read
 * nothing from the database. A subgraph context that copies the base (`{ ...base }`) forks
 * at once; one that keeps `em` a getter (chat's) forks only when asked.
 */
export function baseContext(db: Database, viewer: GatewayIdentity, live?: LiveMode): BaseSubgraphContext {
  let em: EntityManager | undefined;
  return {
    viewer,
    ...(live ? { live } : {}),
    get em() {
      return (em ??= db.fork());
    },
  };
}

export interface SubgraphRuntime<TServices> {
  db: Database;
  platform: PlatformServices;
  metrics: ServiceMetrics;
  services: TServices;
}

export interface SubgraphModule<TContext extends BaseSubgraphContext, TServices = unknown> {
  name: SubgraphName;
  typeDefs: DocumentNode;
  /** The subgraph's resolvers, typed by its generated `Resolvers` type. */
  resolvers: object;
  entities: readonly (EntityClass<AnyEntity> | EntitySchema)[];
  migrations: readonly MigrationObject[];
  /** Builds the subgraph's long-lived services (once per process). */
  createServices(db: Database, platform: PlatformServices, metrics: ServiceMetrics): Promise<TServices> | TServices;
  /** Builds the per-request context: forked entity manager, identity, DataLoaders. */
  createContext(base: BaseSubgraphContext, services: TServices): TContext;
  /** Background work (event consumers...). Returns a function that stops it. */
  startBackground?(runtime: SubgraphRuntime<TServices>): Promise<() => Promise<void>>;
  /** Extra HTTP routes (e.g. the JWKS of the community service). */
  routes?(runtime: SubgraphRuntime<TServices>): Routes;
}
