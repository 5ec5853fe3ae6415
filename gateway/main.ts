/**
 * `npm run start:gateway`: the gateway alone, in front of subgraphs running as their own
 * processes (COMMUNITY_URL, CHAT_URL... override the routing URLs of supergraph.yaml).
 * Access tokens are verified against the community subgraph's JWKS. SIGHUP reloads the
 * supergraph from schema/supergraph.graphql without dropping subscriptions.
 */
import { readFile } from 'node:fs/promises';
import { bootConfig, reloadOnHangup, startupFailed, stopOnSignals } from '../platform/process.ts';
import { JWKS_PATH, TokenVerifier } from '../platform/auth/access-tokens.ts';
import { startGateway } from './gateway.ts';

const SUPERGRAPH = new URL('../schema/supergraph.graphql', import.meta.url);

const { config, logger } = bootConfig('gateway');
if (!config.gatewaySecret) {
  process.stderr.write('GATEWAY_SECRET must be set: the gateway signs every subgraph request with it.\n');
  process.exit(2);
}
try {
  const supergraphSdl = await readFile(SUPERGRAPH, 'utf8');
  const communityUrl = config.subgraphUrls.community ?? `http://127.0.0.1:${config.ports.community}/graphql`;
  const gateway = await startGateway({
    supergraphSdl,
    subgraphUrls: () => config.subgraphUrls,
    verifier: new TokenVerifier(new URL(JWKS_PATH, communityUrl)),
    gatewaySecret: config.gatewaySecret,
    logger,
    host: config.host,
    port: config.ports.gateway,
    maxBodyBytes: config.maxBodyBytes,
    playground: config.playground,
  });
  stopOnSignals(logger, gateway.stop);
  // `kill -HUP <pid>` after `npm run compose`: queries and open subscriptions move to the new supergraph.
  reloadOnHangup(logger, SUPERGRAPH, gateway.reload);
} catch (err) {
  startupFailed(logger, err);
}
