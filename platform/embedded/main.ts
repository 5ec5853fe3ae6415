/**
 * `npm start`: the whole of Veza in one process. With nothing configured it uses the
 * embedded profile (PGlite, in-process events, s3rver) with its data in `.veza/`.
 */
import { bootConfig, reloadOnHangup, startupFailed, stopOnSignals } from '../process.ts';
import { SUPERGRAPH_PATH, startVeza } from './run.ts';

const { config, logger } = bootConfig('veza');
const veza = await startVeza(config, logger).catch((err: unknown) => startupFailed(logger, err));
stopOnSignals(logger, veza.stop);
reloadOnHangup(logger, SUPERGRAPH_PATH, veza.gateway.reload);
const a = veza.platform.adapters;
const base = veza.gateway.http.url;
process.stdout.write(
  `\nVeza is ready (${config.profile} profile: ${a.database}, ${a.events} events, ${a.objects} objects; data in ${config.dataDir}/)\n` +
    `  GraphQL endpoint and playground: ${base}/graphql\n` +
    `  health: ${base}/healthz   readiness: ${base}/readyz   metrics: ${base}/metrics\n` +
    `Press Ctrl-C to stop.\n`,
);
