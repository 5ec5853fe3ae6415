/**
 * The subgraphs every benchmarked gateway sits in front of: all five, in this one
 * process, on the production adapters (the machine's PostgreSQL and Redis, s3rver as the
 * S3 endpoint). Prints one JSON line with their URLs once they listen.
 */
import { bootConfig } from '../../platform/process.ts';
import { startPlatform } from '../../platform/runtime.ts';
import { startSubgraph } from '../../platform/subgraph/start.ts';
import { SUBGRAPH_NAMES } from '../../platform/config.ts';
import { subgraphDefinitions } from '../../subgraphs/definitions.ts';

// Booted as every Veza process boots (configuration, heap growth, logger at the bench's LOG_LEVEL).
const { config, logger } = bootConfig('bench-subgraphs');
const platform = await startPlatform(config, logger, { needsSigningKey: true });
const urls: Record<string, string> = {};
for (const name of SUBGRAPH_NAMES) {
  const running = await startSubgraph(subgraphDefinitions[name].create({ signingKey: platform.signingKey ?? '' }), platform.services, { host: '127.0.0.1', port: 0, poolSize: 10 });
  urls[name] = running.url;
  platform.subgraphUrls[name] = running.url;
}
process.stdout.write(`${JSON.stringify({ urls })}\n`);
process.on('SIGTERM', () => process.exit(0));
