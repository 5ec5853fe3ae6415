/** Apollo Server plugins and hooks shared by every Veza server (subgraphs and gateway). */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import type { Logger } from '../logger.ts';
import type { ServiceMetrics } from '../metrics.ts';

/**
 * Keeps client-facing errors (those made with a code) and replaces anything unexpected
 * (a database error, a bug) with a plain INTERNAL_SERVER_ERROR, logged with its details.
 */
export function errorFormatter(logger: Logger): (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError {
  return (formatted, error) => {
    const original = unwrapResolverError(error);
    const code = formatted.extensions?.['code'];
    if (original instanceof GraphQLError || (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR')) {
      return formatted;
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error while resolving');
    return {
      message: 'Internal server error.',
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}

/** Counts operations and their duration by operation name. */
export function operationMetricsPlugin<T extends BaseContext>(metrics: ServiceMetrics): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      const end = metrics.operationSeconds.startTimer();
      return {
        async willSendResponse(ctx) {
          const operation = ctx.operationName ?? ctx.operation?.name?.value ?? 'anonymous';
          const outcome = ctx.errors?.length ? 'error' : 'ok';
          end({ operation });
          metrics.operations.inc({ operation, outcome });
        },
      };
    },
  };
}
