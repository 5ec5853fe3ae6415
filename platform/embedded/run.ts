/**
 * Runs the whole platform in one process: every subgraph and the gateway, over whatever
 * adapters the configuration selects (embedded by default). `npm start` and the
 * end-to-end tests both go through here.
 */
import { readFile } from 'node:fs/promises';
import { SUBGRAPH_NAMES, type VezaConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import { stopPart } from '../process.ts';
import { startPlatform, type Platform } from '../runtime.ts';
import { startSubgraph, type RunningSubgraph } from '../subgraph/start.ts';
import { JWKS_PATH, TokenVerifier } from '../auth/access-tokens.ts';
import { startGateway, type RunningGateway } from '../../gateway/gateway.ts';
import { startTranscodeWorker } from '../../worker/worker.ts';
import { subgraphDefinitions } from '../../subgraphs/definitions.ts';

export const SUPERGRAPH_PATH = new URL('../../schema/supergraph.graphql', import.meta.url);

export interface RunningVeza {
  platform: Platform;
  subgraphs: RunningSubgraph[];
  gateway: RunningGateway;
  stop: () => Promise<void>;
}

export interface StartVezaOptions {
  /** Listen on ports the OS picks (tests), instead of the configured ones. */
  ephemeralPorts?: boolean;
  /** Do not run the transcoding worker in this process (tests that drive it themselves). */
  withoutWorker?: boolean;
  /** See `DatabaseOptions.onQuery`: receives every SQL statement with its subgraph. */
  onQuery?: (subgraph: string, sql: string) => void;
}

export async function startVeza(config: VezaConfig, logger: Logger, opts: StartVezaOptions = {}): Promise<RunningVeza> {
  const platform = await startPlatform(config, logger, { needsSigningKey: true });
  const subgraphs: RunningSubgraph[] = [];
  let gateway: RunningGateway | undefined;
  let stopWorker: (() => Promise<void>) | undefined;
  // Each part gets STOP_PART_MS; one that hangs is named in a warning and the rest still stop.
  const stop = async () => {
    logger.debug('stopping transcoding worker');
    await stopPart(logger, 'transcoding worker', async () => stopWorker?.());
    logger.debug('stopping gateway');
    await stopPart(logger, 'gateway', async () => gateway?.stop());
    // Reverse start order: discovery stops consuming before its database closes, etc.
    for (const s of [...subgraphs].reverse()) {
      logger.debug({ subgraph: s.name }, 'stopping subgraph');
      await stopPart(logger, `subgraph ${s.name}`, () => s.stop());
    }
    logger.debug('stopping platform adapters');
    await stopPart(logger, 'platform adapters', () => platform.stop());
    logger.debug('stopped');
  };
  try {
    const signingKey = platform.signingKey;
    if (!signingKey) throw new Error('no access-token signing key');
    for (const name of SUBGRAPH_NAMES) {
      const module = subgraphDefinitions[name].create({ signingKey });
      const running = await startSubgraph(module, platform.services, {
        host: config.host,
        port: opts.ephemeralPorts ? 0 : config.ports[name],
        // One process holds every pool; PGlite runs one statement at a time anyway.
        poolSize: platform.adapters.database === 'pglite' ? 2 : 5,
        ...(opts.onQuery ? { onQuery: (sql: string) => opts.onQuery?.(name, sql) } : {}),
      });
      subgraphs.push(running);
      platform.subgraphUrls[name] = running.url;
    }
    const communityUrl = platform.subgraphUrls.community;
    if (!communityUrl) throw new Error('community subgraph did not start');
    gateway = await startGateway({
      supergraphSdl: await readFile(SUPERGRAPH_PATH, 'utf8'),
      subgraphUrls: () => platform.subgraphUrls,
      verifier: new TokenVerifier(new URL(JWKS_PATH, communityUrl)),
      gatewaySecret: platform.services.gatewaySecret,
      logger,
      host: config.host,
      port: opts.ephemeralPorts ? 0 : config.ports.gateway,
      maxBodyBytes: config.maxBodyBytes,
      playground: config.playground,
    });
    platform.setPublicUrl(gateway.http.url);
    // The embedded profile transcodes in-process; production runs `npm run start:worker`.
    if (!opts.withoutWorker) stopWorker = await startTranscodeWorker(platform.services, { concurrency: config.workerConcurrency });
    return { platform, subgraphs, gateway, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
