/**
 * `npm start`: the whole of Veza in one process. With nothing configured it uses the
 * embedded profile (PGlite, in-process events, s3rver) with its data in `.veza/`.
 */
import { ConfigError, loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { startVeza } from './run.ts';

let config;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
const logger = createLogger(config.logLevel, { process: 'veza' });
const veza = await startVeza(config, logger).catch((err: unknown) => {
  const e = err as NodeJS.ErrnoException & { port?: number };
  const reason = e.code === 'EADDRINUSE' ? `port ${e.port ?? ''} is already in use (is another Veza running?)` : String(e.message ?? err);
  logger.fatal({ err }, 'start-up failed');
  process.stderr.write(`Veza could not start: ${reason}\n`);
  process.exit(1);
});
const a = veza.platform.adapters;
process.stdout.write(
  `\nVeza is ready (${config.profile} profile: ${a.database}, ${a.events} events, ${a.objects} objects; data in ${config.dataDir}/)\n` +
    `  GraphQL + playground: ${veza.gateway.http.url}/graphql\n` +
    `  health: ${veza.gateway.http.url}/healthz   readiness: ${veza.gateway.http.url}/readyz   metrics: ${veza.gateway.http.url}/metrics\n` +
    `Press Ctrl-C to stop.\n`,
);

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping');
  veza.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
