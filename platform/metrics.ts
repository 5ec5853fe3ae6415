/**
 * Prometheus metrics. Each process owns one registry (never the global default, so several
 * in-process servers in the embedded profile or in tests do not collide).
 */
import { Registry, collectDefaultMetrics, Counter, Histogram } from 'prom-client';

export interface ServiceMetrics {
  registry: Registry;
  operations: Counter<'operation' | 'outcome'>;
  operationSeconds: Histogram<'operation'>;
}

export function createMetrics(service: string, opts: { defaultMetrics?: boolean } = {}): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const operations = new Counter({
    name: 'veza_graphql_operations_total',
    help: 'GraphQL operations handled, by operation name and outcome (ok or error).',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  });
  const operationSeconds = new Histogram({
    name: 'veza_graphql_operation_duration_seconds',
    help: 'Time to execute a GraphQL operation, by operation name.',
    labelNames: ['operation'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return { registry, operations, operationSeconds };
}
