/**
 * `npm run start:subgraph -- <name>`: one subgraph in its own process (production:
 * DATABASE_URL, REDIS_URL, S3_ENDPOINT and GATEWAY_SECRET set; the community subgraph
 * also needs AUTH_PRIVATE_KEY).
 */
import { SUBGRAPH_NAMES, type SubgraphName } from '../platform/config.ts';
import { bootConfig, startupFailed, stopOnSignals } from '../platform/process.ts';
import { startPlatform } from '../platform/runtime.ts';
import { startSubgraph } from '../platform/subgraph/start.ts';
import { subgraphDefinitions } from './definitions.ts';

const name = process.argv[2] as SubgraphName | undefined;
if (!name || !SUBGRAPH_NAMES.includes(name)) {
  process.stderr.write(`usage: npm run start:subgraph -- <${SUBGRAPH_NAMES.join('|')}>\n`);
  process.exit(2);
}
const { config, logger } = bootConfig(`subgraph-${name}`);
try {
  const platform = await startPlatform(config, logger, { needsSigningKey: name === 'community' });
  const module = subgraphDefinitions[name].create({ signingKey: platform.signingKey ?? '' });
  const running = await startSubgraph(module, platform.services, { host: config.host, port: config.ports[name], processMetrics: true });
  stopOnSignals(logger, async () => {
    await running.stop();
    await platform.stop();
  });
} catch (err) {
  startupFailed(logger, err);
}
