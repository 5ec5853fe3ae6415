/**
 * Builds the platform adapters a process needs from its configuration. Each adapter is
 * chosen on its own: DATABASE_URL → PostgreSQL (else embedded PGlite), REDIS_URL → Redis
 * (else the in-process bus), S3_ENDPOINT → that S3 server, MinIO in production (else
 * embedded s3rver). The rest of the code never knows which it got.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SubgraphName, VezaConfig } from './config.ts';
import type { Logger } from './logger.ts';
import type { EventBus } from './events/bus.ts';
import { MemoryEventBus } from './events/memory-bus.ts';
import { RedisEventBus } from './events/redis-bus.ts';
import { createPubSub } from './events/pubsub.ts';
import { ObjectStore } from './storage/object-store.ts';
import { startEmbeddedS3 } from './storage/embedded-s3.ts';
import { startEmbeddedPostgres } from './embedded/pglite.ts';
import { loadOrCreateSigningKey } from './auth/access-tokens.ts';
import { InternalClient } from './subgraph/internal-client.ts';
import { MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from './rate-limit.ts';
import { Redis } from 'ioredis';
import type { JobQueue } from './queue/queue.ts';
import { BullJobQueue } from './queue/bullmq-queue.ts';
import { SqlJobQueue } from './queue/sql-queue.ts';
import type { PlatformServices } from './subgraph/module.ts';

export interface Platform {
  services: PlatformServices;
  /** Where each subgraph listens; filled in as subgraphs start (embedded) or from config. */
  subgraphUrls: Partial<Record<SubgraphName, string>>;
  /** Records where the gateway listens, unless PUBLIC_URL fixed it. */
  setPublicUrl: (url: string) => void;
  /** Ed25519 private key for access tokens (the community subgraph's). */
  signingKey: string | undefined;
  /** Which adapters were chosen, for the start-up banner and readiness. */
  adapters: { database: 'postgresql' | 'pglite'; events: 'redis' | 'memory'; objects: 's3' | 's3rver' };
  stop: () => Promise<void>;
}

export interface StartPlatformOptions {
  /** Needs the token signing key (processes that run the community subgraph). */
  needsSigningKey: boolean;
}

export async function startPlatform(config: VezaConfig, logger: Logger, opts: StartPlatformOptions): Promise<Platform> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => logger.error({ err }, 'shutdown step failed'));
  };
  try {
    await mkdir(config.dataDir, { recursive: true });

    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      const pg = await startEmbeddedPostgres(join(config.dataDir, 'postgres'));
      stops.push(pg.stop);
      databaseUrl = pg.url;
    }

    let s3Endpoint = config.s3.endpoint;
    if (!s3Endpoint) {
      const s3 = await startEmbeddedS3(join(config.dataDir, 'objects'));
      stops.push(s3.stop);
      s3Endpoint = s3.endpoint;
    }
    const store = new ObjectStore({ ...config.s3, endpoint: s3Endpoint });

    const bus: EventBus = config.redisUrl
      ? new RedisEventBus({ url: config.redisUrl, prefix: config.redisPrefix, logger })
      : new MemoryEventBus(logger);
    stops.push(() => bus.close());
    const { pubsub, close: closePubSub } = createPubSub(config.redisUrl);
    stops.push(closePubSub);
    const rateLimiter: RateLimiter = config.redisUrl
      ? new RedisRateLimiter(new Redis(config.redisUrl, { maxRetriesPerRequest: 2 }), config.redisPrefix)
      : new MemoryRateLimiter();
    stops.push(() => rateLimiter.close());

    const jobs: JobQueue = config.redisUrl
      ? new BullJobQueue({
          redisUrl: config.redisUrl, prefix: `${config.redisPrefix}jobs`, logger,
          lockDurationMs: config.jobLeaseSeconds * 1000, stalledIntervalMs: Math.max(1000, (config.jobLeaseSeconds * 1000) / 2),
        })
      : new SqlJobQueue({ databaseUrl, logger, leaseMs: config.jobLeaseSeconds * 1000 });
    stops.push(() => jobs.close());
    let publicUrl = config.publicUrl ?? `http://localhost:${config.ports.gateway}`;

    const gatewaySecret = config.gatewaySecret ?? (await localSecret(config, 'gateway-secret'));
    const signingKey = opts.needsSigningKey
      ? (config.authPrivateKey ?? (await embeddedOnly(config, 'AUTH_PRIVATE_KEY', () => loadOrCreateSigningKey(join(config.dataDir, 'keys', 'access-token.pem')))))
      : undefined;

    const subgraphUrls: Partial<Record<SubgraphName, string>> = { ...config.subgraphUrls };
    const internal = new InternalClient(() => subgraphUrls, gatewaySecret);

    return {
      services: { config, logger, bus, pubsub, store, internal, gatewaySecret, databaseUrl, rateLimiter, jobs, publicUrl: () => publicUrl },
      setPublicUrl: (url: string) => {
        if (!config.publicUrl) publicUrl = url;
      },
      subgraphUrls,
      signingKey,
      adapters: {
        database: config.databaseUrl ? 'postgresql' : 'pglite',
        events: config.redisUrl ? 'redis' : 'memory',
        objects: config.s3.endpoint ? 's3' : 's3rver',
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** A secret kept in the data folder: only allowed when running the embedded profile. */
async function localSecret(config: VezaConfig, name: string): Promise<string> {
  return embeddedOnly(config, 'GATEWAY_SECRET', async () => {
    const path = join(config.dataDir, 'keys', name);
    try {
      return (await readFile(path, 'utf8')).trim();
    } catch {
      await mkdir(join(config.dataDir, 'keys'), { recursive: true });
      await writeFile(path, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' }).catch(() => {});
      return (await readFile(path, 'utf8')).trim();
    }
  });
}

async function embeddedOnly<T>(config: VezaConfig, variable: string, make: () => Promise<T>): Promise<T> {
  if (config.profile === 'production') {
    throw new Error(`${variable} must be set when DATABASE_URL is (production profile); refusing to invent a secret.`);
  }
  return make();
}
