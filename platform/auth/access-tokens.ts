/**
 * Access tokens: short-lived JWTs signed with Ed25519 (EdDSA) by the community subgraph,
 * verified by the gateway against the published JWKS. Only the public half ever leaves
 * the community service.
 */
import { SignJWT, calculateJwkThumbprint, exportJWK, importPKCS8, jwtVerify, createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type CryptoKey, type JWTVerifyGetKey } from 'jose';
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Where the community service publishes the JSON Web Key Set of its token-signing keys. */
export const JWKS_PATH = '/.well-known/jwks.json';

export const TOKEN_ISSUER = 'veza';
export const TOKEN_AUDIENCE = 'veza-gateway';

export interface AccessTokenClaims {
  /** The user id. */
  sub: string;
  /** The session the token was issued in. */
  sid: string;
}

export class TokenSigner {
  readonly #key: CryptoKey;
  readonly #kid: string;
  readonly #ttl: number;
  readonly jwks: JSONWebKeySet;

  private constructor(key: CryptoKey, kid: string, jwks: JSONWebKeySet, ttlSeconds: number) {
    this.#key = key;
    this.#kid = kid;
    this.jwks = jwks;
    this.#ttl = ttlSeconds;
  }

  static async fromPem(privatePem: string, ttlSeconds: number): Promise<TokenSigner> {
    const key = await importPKCS8(privatePem, 'EdDSA');
    const pub = createPublicKey(privatePem);
    const jwk = await exportJWK(pub);
    const kid = await thumbprint(pub);
    return new TokenSigner(key, kid, { keys: [{ ...jwk, kid, alg: 'EdDSA', use: 'sig' }] }, ttlSeconds);
  }

  get ttlSeconds(): number {
    return this.#ttl;
  }

  async sign(claims: AccessTokenClaims): Promise<{ token: string; expiresAt: Date }> {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ sid: claims.sid })
      .setProtectedHeader({ alg: 'EdDSA', kid: this.#kid, typ: 'at+jwt' })
      .setSubject(claims.sub)
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + this.#ttl)
      .sign(this.#key);
    return { token, expiresAt: new Date((now + this.#ttl) * 1000) };
  }
}

type VerifiedClaims = AccessTokenClaims & { exp: number };

/** Tokens whose verification is remembered, at most (the least recently used go first). */
const VERIFIED_CACHE_SIZE = 20_000;

/**
 * Verifies access tokens against a key set (local, or fetched from the community service's
 * JWKS URL).
 *
 * A verified token is remembered until it expires: a user's clients present the same token
 * on every request and every reconnection (thousands at once after a gateway restart), and
 * an Ed25519 verification through WebCrypto costs ~0.7 ms of this process's time, more than
 * the rest of opening a subscription. The answer for a token string cannot change before
 * its `exp` — except if its signing key were withdrawn from the JWKS, which then takes
 * effect at the token's expiry (access tokens live minutes) rather than at once.
 */
export class TokenVerifier {
  readonly #keys: JWTVerifyGetKey;
  readonly #verified = new Map<string, VerifiedClaims>();

  constructor(source: JSONWebKeySet | URL) {
    this.#keys = source instanceof URL ? createRemoteJWKSet(source, { cooldownDuration: 30_000 }) : createLocalJWKSet(source);
  }

  /** The token's claims, or `undefined` when it is invalid or expired. */
  async verify(token: string): Promise<VerifiedClaims | undefined> {
    const known = this.#verified.get(token);
    if (known) {
      this.#verified.delete(token);
      // Expired exactly as jose decides it (no clock tolerance): at `exp`.
      if (known.exp <= Math.floor(Date.now() / 1000)) return undefined;
      this.#verified.set(token, known);
      return known;
    }
    const claims = await this.#verify(token);
    if (claims) {
      this.#verified.set(token, claims);
      if (this.#verified.size > VERIFIED_CACHE_SIZE) this.#verified.delete(this.#verified.keys().next().value!);
    }
    return claims;
  }

  async #verify(token: string): Promise<VerifiedClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.#keys, {
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        algorithms: ['EdDSA'],
        typ: 'at+jwt',
      });
      if (typeof payload.sub !== 'string' || typeof payload['sid'] !== 'string' || typeof payload.exp !== 'number') return undefined;
      return { sub: payload.sub, sid: payload['sid'], exp: payload.exp };
    } catch {
      return undefined;
    }
  }
}

/** Generates an Ed25519 private key (PKCS#8 PEM). */
export function generateSigningKey(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** Reads the key stored at `path`, creating it on first use (embedded profile). */
export async function loadOrCreateSigningKey(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const pem = generateSigningKey();
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, pem, { mode: 0o600, flag: 'wx' }).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    });
    return readFile(path, 'utf8');
  }
}

async function thumbprint(pub: KeyObject): Promise<string> {
  return calculateJwkThumbprint(await exportJWK(pub));
}
