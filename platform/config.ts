/**
 * Configuration is read once, from the environment, validated here, and then passed
 * down explicitly. No other module reads `process.env`.
 *
 * With nothing set, Veza runs its embedded profile: PGlite, an in-process event bus and
 * an S3-compatible server over a local folder, all under `dataDir`.
 */
import { z } from 'zod';

export const SUBGRAPH_NAMES = ['community', 'chat', 'media', 'social', 'discovery'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

/** Default port of each process, as ARCHITECTURE.md lays them out. */
export const DEFAULT_PORTS: Readonly<Record<SubgraphName | 'gateway', number>> = {
  gateway: 4000,
  community: 4001,
  chat: 4002,
  media: 4003,
  social: 4004,
  discovery: 4005,
};

const port = z.coerce.number().int().min(0).max(65535);
/** An optional URL; an empty value counts as unset. */
const optionalUrl = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v),
  z.string().url().optional(),
);

const envSchema = z.object({
  VEZA_DATA_DIR: z.string().default('.veza'),
  HOST: z.string().default('127.0.0.1'),
  GATEWAY_PORT: port.default(DEFAULT_PORTS.gateway),
  COMMUNITY_PORT: port.default(DEFAULT_PORTS.community),
  CHAT_PORT: port.default(DEFAULT_PORTS.chat),
  MEDIA_PORT: port.default(DEFAULT_PORTS.media),
  SOCIAL_PORT: port.default(DEFAULT_PORTS.social),
  DISCOVERY_PORT: port.default(DEFAULT_PORTS.discovery),
  /** Where the gateway finds each subgraph when they run as separate processes. */
  COMMUNITY_URL: optionalUrl,
  CHAT_URL: optionalUrl,
  MEDIA_URL: optionalUrl,
  SOCIAL_URL: optionalUrl,
  DISCOVERY_URL: optionalUrl,
  DATABASE_URL: optionalUrl,
  REDIS_URL: optionalUrl,
  /** Prefix for every Redis key and channel, so several deployments (or test runs) can share one Redis. */
  REDIS_PREFIX: z.string().default('veza:'),
  S3_ENDPOINT: optionalUrl,
  S3_ACCESS_KEY: z.string().default('S3RVER'),
  S3_SECRET_KEY: z.string().default('S3RVER'),
  S3_BUCKET: z.string().default('veza'),
  S3_REGION: z.string().default('us-east-1'),
  /** Shared secret the gateway signs forwarded identities with; subgraphs refuse unsigned requests. */
  GATEWAY_SECRET: z.string().min(32).optional(),
  /** Ed25519 private key (PKCS#8 PEM) that signs access tokens; generated into the data folder when absent. */
  AUTH_PRIVATE_KEY: z.string().optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(900),
  /** Messages a user may send in one channel within 5 seconds. */
  SEND_BURST_LIMIT: z.coerce.number().int().positive().default(10),
  /** Sign-ups allowed per client address per hour. */
  SIGN_UP_LIMIT_PER_ADDRESS: z.coerce.number().int().positive().default(20),
  /** Sign-in attempts allowed per account per 5 minutes. */
  SIGN_IN_LIMIT_PER_ACCOUNT: z.coerce.number().int().positive().default(10),
  /** Sign-in attempts allowed per client address per 5 minutes. */
  SIGN_IN_LIMIT_PER_ADDRESS: z.coerce.number().int().positive().default(50),
  /** The gateway's address as clients reach it (for playback links); defaults to http://localhost:<GATEWAY_PORT>. */
  PUBLIC_URL: optionalUrl,
  /** A listener stops counting as live this long after their last heartbeat. */
  LISTENER_PRESENCE_SECONDS: z.coerce.number().int().min(1).max(600).default(30),
  /** How often players are asked to send a heartbeat. */
  PLAYBACK_HEARTBEAT_SECONDS: z.coerce.number().int().min(1).max(300).default(10),
  /** A running job unheard of for this long is taken to have lost its worker and is run again. */
  JOB_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  /** Transcoding jobs one worker process runs at once. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  /** Largest accepted HTTP request body, in bytes. */
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(1_000_000),
  /**
   * How far V8's old generation may grow past what survived the last full collection before
   * the next one, in percent (0: V8's own choice). See `applyHeapGrowth` in platform/process.ts.
   */
  HEAP_GROWTH_PERCENT: z.coerce.number().int().min(0).max(300).default(100),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** In a development or embedded run the playground (landing page) is served at the gateway. */
  PLAYGROUND: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
});

export type Profile = 'embedded' | 'production';

export interface VezaConfig {
  profile: Profile;
  dataDir: string;
  host: string;
  ports: Record<SubgraphName | 'gateway', number>;
  subgraphUrls: Partial<Record<SubgraphName, string>>;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  redisPrefix: string;
  s3: { endpoint: string | undefined; accessKey: string; secretKey: string; bucket: string; region: string };
  gatewaySecret: string | undefined;
  authPrivateKey: string | undefined;
  accessTokenTtlSeconds: number;
  authLimits: { signUpPerAddress: number; signInPerAccount: number; signInPerAddress: number };
  sendBurstLimit: number;
  maxBodyBytes: number;
  publicUrl: string | undefined;
  listenerPresenceSeconds: number;
  playbackHeartbeatSeconds: number;
  workerConcurrency: number;
  jobLeaseSeconds: number;
  heapGrowthPercent: number;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  playground: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses and validates the environment. Throws a `ConfigError` naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv): VezaConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const profile: Profile = e.DATABASE_URL ? 'production' : 'embedded';
  return {
    profile,
    dataDir: e.VEZA_DATA_DIR,
    host: e.HOST,
    ports: {
      gateway: e.GATEWAY_PORT,
      community: e.COMMUNITY_PORT,
      chat: e.CHAT_PORT,
      media: e.MEDIA_PORT,
      social: e.SOCIAL_PORT,
      discovery: e.DISCOVERY_PORT,
    },
    subgraphUrls: dropUndefined({
      community: e.COMMUNITY_URL,
      chat: e.CHAT_URL,
      media: e.MEDIA_URL,
      social: e.SOCIAL_URL,
      discovery: e.DISCOVERY_URL,
    }),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    s3: {
      endpoint: e.S3_ENDPOINT,
      accessKey: e.S3_ACCESS_KEY,
      secretKey: e.S3_SECRET_KEY,
      bucket: e.S3_BUCKET,
      region: e.S3_REGION,
    },
    gatewaySecret: e.GATEWAY_SECRET,
    authPrivateKey: e.AUTH_PRIVATE_KEY,
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    sendBurstLimit: e.SEND_BURST_LIMIT,
    authLimits: {
      signUpPerAddress: e.SIGN_UP_LIMIT_PER_ADDRESS,
      signInPerAccount: e.SIGN_IN_LIMIT_PER_ACCOUNT,
      signInPerAddress: e.SIGN_IN_LIMIT_PER_ADDRESS,
    },
    maxBodyBytes: e.MAX_BODY_BYTES,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    listenerPresenceSeconds: e.LISTENER_PRESENCE_SECONDS,
    playbackHeartbeatSeconds: e.PLAYBACK_HEARTBEAT_SECONDS,
    workerConcurrency: e.WORKER_CONCURRENCY,
    jobLeaseSeconds: e.JOB_LEASE_SECONDS,
    heapGrowthPercent: e.HEAP_GROWTH_PERCENT,
    logLevel: e.LOG_LEVEL,
    playground: e.PLAYGROUND,
  };
}

function dropUndefined<T extends Record<string, string | undefined>>(o: T): Partial<Record<keyof T, string>> {
  const out: Partial<Record<keyof T, string>> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k as keyof T] = v;
  return out;
}
