/**
 * The test helpers, in one place: isolated databases on the real PostgreSQL, a Redis
 * prefix per run, s3rver on loopback, the whole platform booted in-process on free
 * ports in either profile, and a small typed GraphQL client.
 */
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { loadConfig, type VezaConfig } from '../../platform/config.ts';
import { createLogger } from '../../platform/logger.ts';
import { generateSigningKey } from '../../platform/auth/access-tokens.ts';
import { startEmbeddedS3, type EmbeddedS3 } from '../../platform/storage/embedded-s3.ts';
import { startVeza, type RunningVeza, type StartVezaOptions } from '../../platform/embedded/run.ts';
import { TEST_PG_URL, TEST_REDIS_URL } from './env.ts';
import { SignUpFullDocument } from '../generated/graphql.ts';

export { TEST_PG_URL, TEST_REDIS_URL };

export const silentLogger = createLogger(process.env['VEZA_TEST_LOG_LEVEL'] ?? 'silent');

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

export interface TestDatabase {
  url: string;
  drop: () => Promise<void>;
}

/** A new, empty database on the real PostgreSQL, dropped by `drop()`. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = uniqueName('veza_test');
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export async function tempDir(prefix = 'veza-test-'): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export type Profile = 'embedded' | 'production';

export interface TestVeza {
  profile: Profile;
  config: VezaConfig;
  veza: RunningVeza;
  /** The gateway's GraphQL endpoint. */
  url: string;
  /** The gateway's base URL (for /healthz, /readyz, /metrics). */
  base: string;
  stop: () => Promise<void>;
}

/**
 * Boots the whole platform in this process on free ports. `embedded`: PGlite, the
 * in-process bus and s3rver, data in a temporary folder. `production`: the real
 * PostgreSQL (a fresh database), Redis (a fresh key prefix) and s3rver as the S3 endpoint.
 */
export async function startTestVeza(profile: Profile, opts: StartVezaOptions & { env?: Record<string, string> } = {}): Promise<TestVeza> {
  const dir = await tempDir();
  const cleanups: (() => Promise<void>)[] = [dir.remove];
  const env: Record<string, string> = { VEZA_DATA_DIR: dir.path, LOG_LEVEL: 'silent', PLAYGROUND: 'false', ...opts.env };
  if (profile === 'production') {
    const db = await createTestDatabase();
    cleanups.push(db.drop);
    const s3: EmbeddedS3 = await startEmbeddedS3(join(dir.path, 's3'));
    cleanups.push(s3.stop);
    Object.assign(env, {
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: `${uniqueName('veza-test')}:`,
      S3_ENDPOINT: s3.endpoint,
      GATEWAY_SECRET: randomBytes(32).toString('base64url'),
      AUTH_PRIVATE_KEY: generateSigningKey(),
      ...opts.env,
    });
  }
  const config = loadConfig(env);
  const veza = await startVeza(config, silentLogger, { ...opts, ephemeralPorts: true });
  return {
    profile,
    config,
    veza,
    url: veza.gateway.url,
    base: veza.gateway.http.url,
    stop: async () => {
      await veza.stop();
      for (const c of cleanups.reverse()) await c();
    },
  };
}

export interface GraphQLResponse<T> {
  status: number;
  data: T | null | undefined;
  errors: { message: string; path?: (string | number)[]; extensions?: { code?: string; [k: string]: unknown } }[] | undefined;
}

/** Sends a typed operation to `url` as a client would. */
export async function request<TResult, TVariables>(
  url: string,
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
  token?: string,
): Promise<GraphQLResponse<TResult>> {
  return rawRequest<TResult>(url, JSON.stringify({ query: print(document), variables }), token);
}

/** Sends a raw request body (for malformed-input tests). */
export async function rawRequest<T = unknown>(url: string, body: string, token?: string, headers: Record<string, string> = {}): Promise<GraphQLResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body,
  });
  const json = (await res.json()) as { data?: T | null; errors?: GraphQLResponse<T>['errors'] };
  return { status: res.status, data: json.data, errors: json.errors };
}

/** The data of a response that must have succeeded; fails with the errors otherwise. */
export function dataOf<T>(res: GraphQLResponse<T>): T {
  if (res.errors?.length || !res.data) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)} (HTTP ${res.status})`);
  return res.data;
}

export interface TestUser {
  id: string;
  handle: string;
  displayName: string;
  token: string;
  refreshToken: string;
}

/** Signs a new user up through the gateway. */
export async function signUpUser(url: string, displayName = 'Test User', password = 'a long passphrase'): Promise<TestUser> {
  const handle = uniqueName(displayName.toLowerCase().replace(/[^a-z0-9_]/g, '') || 'user').slice(0, 32);
  const res = await request(url, SignUpFullDocument, { input: { handle, displayName, password } });
  const { signUp } = dataOf(res);
  return { id: signUp.user.id, handle, displayName, token: signUp.accessToken, refreshToken: signUp.refreshToken };
}

/** The `extensions.code` of the first error, for asserting refusals. */
export function codeOf(res: GraphQLResponse<unknown>): string | undefined {
  return res.errors?.[0]?.extensions?.code;
}
