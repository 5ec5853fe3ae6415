/**
 * The gateways compared in benchmark G, each started in its own process by
 * `node bench/gateway/peers.ts <veza|apollo|hive|hive-rust> <port>`, all in front of the
 * same subgraph processes. Subgraph URLs, the supergraph and the identity to forward come
 * from the environment the harness sets.
 *
 * Veza's subgraphs only answer requests signed by a gateway; the peers sign theirs with
 * the same assertion (for a fixed benchmark user) through their own documented hooks, so
 * every gateway does the same work upstream.
 */
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { createGatewayRuntime } from '@graphql-hive/gateway';
import { unifiedGraphHandler } from '@graphql-hive/router-runtime';
import { GATEWAY_ASSERTION_HEADER, signAssertion } from '../../platform/auth/gateway-trust.ts';
import { JWKS_PATH, TokenVerifier } from '../../platform/auth/access-tokens.ts';
import { bootConfig } from '../../platform/process.ts';
import { startGateway } from '../../gateway/gateway.ts';

const [kind, portArg] = process.argv.slice(2);
const port = Number(portArg);
const env = process.env;
const secret = env['GATEWAY_SECRET'] ?? '';
const userId = env['BENCH_USER_ID'] ?? null;
const urls = JSON.parse(env['BENCH_SUBGRAPH_URLS'] ?? '{}') as Record<string, string>;
const supergraphSdl = await readFile(new URL('../../schema/supergraph.graphql', import.meta.url), 'utf8');
const assertion = () => signAssertion(secret, { userId, sessionId: null });

if (kind === 'veza') {
  // Veza's gateway booted as gateway/main.ts boots it (heap growth included); the peers keep V8's own.
  const { logger } = bootConfig('gateway');
  const gateway = await startGateway({
    supergraphSdl,
    subgraphUrls: () => urls,
    verifier: new TokenVerifier(new URL(JWKS_PATH, urls['community'])),
    gatewaySecret: secret,
    logger,
    host: '127.0.0.1',
    port,
    maxBodyBytes: 1_000_000,
    playground: false,
  });
  void gateway;
} else if (kind === 'apollo') {
  // As Apollo's documentation sets it up: ApolloGateway + ApolloServer's standalone server.
  class Signed extends RemoteGraphQLDataSource {
    override willSendRequest({ request }: Parameters<NonNullable<RemoteGraphQLDataSource['willSendRequest']>>[0]): void {
      request.http?.headers.set(GATEWAY_ASSERTION_HEADER, assertion());
    }
  }
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) => new Signed({ url: urls[name] ?? url }),
  });
  const server = new ApolloServer({ gateway });
  await startStandaloneServer(server, { listen: { port, host: '127.0.0.1' } });
} else if (kind === 'hive' || kind === 'hive-rust') {
  const supergraph = Object.entries(urls).reduce(
    (sdl, [name, url]) => sdl.replace(new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]+(")`), `$1${url}$2`),
    supergraphSdl,
  );
  const gateway = createGatewayRuntime({
    supergraph,
    ...(kind === 'hive-rust' ? { unifiedGraphHandler } : {}),
    logging: 'error',
    plugins: () => [
      {
        onFetch: (payload: { options: { headers?: unknown }; setOptions: (o: object) => void }) => {
          payload.setOptions({ ...payload.options, headers: { ...(payload.options.headers as Record<string, string>), [GATEWAY_ASSERTION_HEADER]: assertion() } });
        },
      },
    ],
  });
  await new Promise<void>((resolve) => createServer((req, res) => void gateway(req, res)).listen(port, '127.0.0.1', resolve));
} else {
  throw new Error(`unknown gateway ${kind}`);
}
process.stdout.write(`ready ${kind} ${port}\n`);
process.on('SIGTERM', () => process.exit(0));
