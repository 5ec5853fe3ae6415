/** What the subscription layer counts, on the gateway's Prometheus registry. */
import { Counter, Gauge, type Registry } from 'prom-client';

export interface SubscriptionMetrics {
  connections: Gauge;
  clientSubscriptions: Gauge;
  sharedSubscriptions: Gauge;
  upstreamsOpened: Counter;
  guardsGranted: Counter;
  events: Counter;
  entityFetches: Counter;
  deliveries: Counter;
  slowConsumers: Counter;
}

export function createSubscriptionMetrics(registry: Registry): SubscriptionMetrics {
  const registers = [registry];
  return {
    connections: new Gauge({ name: 'veza_gateway_ws_connections', help: 'Open graphql-ws connections.', registers }),
    clientSubscriptions: new Gauge({ name: 'veza_gateway_subscriptions', help: 'Active client subscriptions.', registers }),
    sharedSubscriptions: new Gauge({ name: 'veza_gateway_shared_subscriptions', help: 'Distinct upstream sources behind the client subscriptions (identical subscriptions share one).', registers }),
    upstreamsOpened: new Counter({ name: 'veza_gateway_upstream_subscriptions_opened_total', help: 'Upstream subscriptions opened to subgraphs: feeds, guards and per-viewer sources (reopenings included).', registers }),
    guardsGranted: new Counter({ name: 'veza_gateway_subscription_guards_granted_total', help: 'Viewers admitted to a shared feed by the owning subgraph.', registers }),
    events: new Counter({ name: 'veza_gateway_subscription_events_total', help: 'Events received from upstream subscriptions.', registers }),
    entityFetches: new Counter({ name: 'veza_gateway_subscription_entity_fetches_total', help: 'Subgraph fetches made to resolve subscription events.', registers }),
    deliveries: new Counter({ name: 'veza_gateway_subscription_deliveries_total', help: 'Events handed to client subscriptions.', registers }),
    slowConsumers: new Counter({ name: 'veza_gateway_slow_consumer_closes_total', help: 'Connections closed because the client read too slowly.', registers }),
  };
}
