/**
 * Gateway trust: subgraphs only answer requests that come through the gateway.
 *
 * The gateway sends, with every subgraph request, a short-lived assertion of who the
 * caller is, signed with HMAC-SHA256 under a secret shared by the gateway and the
 * subgraphs. A subgraph that receives no assertion, a bad signature or an expired one
 * refuses the request, so a client that reaches a subgraph port directly gets nothing.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying the gateway's signed assertion. */
export const GATEWAY_ASSERTION_HEADER = 'x-veza-gateway-assertion';

/** How long an assertion is accepted after it was made. */
const MAX_AGE_SECONDS = 60;

export interface GatewayIdentity {
  /** The signed-in user, or `null` for an anonymous caller. */
  userId: string | null;
  /** The session of the access token, when signed in. */
  sessionId: string | null;
  /** The client's network address as the gateway saw it (for rate limits and session lists). */
  clientAddress?: string | null;
  /** The client's User-Agent header, when it sent one. */
  userAgent?: string | null;
}

interface AssertionPayload {
  u: string | null;
  s: string | null;
  a?: string | null;
  g?: string | null;
  /** Issued at (seconds). */
  t: number;
}

export function signAssertion(secret: string, identity: GatewayIdentity, now = Date.now()): string {
  const t = Math.floor(now / 1000);
  const payload: AssertionPayload = {
    u: identity.userId,
    s: identity.sessionId,
    ...(identity.clientAddress ? { a: identity.clientAddress } : {}),
    ...(identity.userAgent ? { g: identity.userAgent.slice(0, 300) } : {}),
    t,
  };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  if (t !== signedSecond) {
    signedSecond = t;
    signed.clear();
  }
  const known = signed.get(body);
  if (known?.secret === secret) return known.assertion;
  const assertion = `${body}.${mac(secret, body)}`;
  if (signed.size >= SIGNED_KEPT) signed.clear();
  signed.set(body, { secret, assertion });
  return assertion;
}

/**
 * Assertions signed in the current second, by body, with the secret they were signed under
 * (as `verified` below keeps them). The body holds the issue time in seconds, so one
 * caller's requests within a second carry the same text, and a query asks several
 * subgraphs (G1's channel page three): under benchmark G, signing was 3.4 % of the
 * gateway's busy CPU in a CPU profile, and an assertion took 2.3–2.5 µs with its HMAC
 * against 0.8–1.2 µs found here. Cleared when the second changes or when full.
 */
const signed = new Map<string, { secret: string; assertion: string }>();
let signedSecond = Number.NaN;
const SIGNED_KEPT = 4096;

/**
 * Assertions that verified, by their text, with the secret they verified under. A subgraph
 * checks each request's assertion twice (its route, then its context), and the gateway
 * sends the same text for every request of one caller within a second (the issue time is
 * in seconds): an HMAC per check was a few per cent of a busy subgraph's CPU. Only texts
 * that verified are kept, so a forged one is never found here; the age is checked on every
 * use. Cleared when full.
 */
const verified = new Map<string, { secret: string; payload: AssertionPayload }>();
const VERIFIED_KEPT = 4096;

/** The identity asserted by the gateway, or `undefined` when the assertion is missing, forged or stale. */
export function verifyAssertion(secret: string, assertion: string | undefined, now = Date.now()): GatewayIdentity | undefined {
  if (!assertion) return undefined;
  const known = verified.get(assertion);
  const payload = known?.secret === secret ? known.payload : signedPayload(secret, assertion);
  if (!payload) return undefined;
  const age = Math.floor(now / 1000) - payload.t;
  if (!Number.isFinite(age) || age > MAX_AGE_SECONDS || age < -MAX_AGE_SECONDS) return undefined;
  if (!known) {
    if (verified.size >= VERIFIED_KEPT) verified.clear();
    verified.set(assertion, { secret, payload });
  }
  return { userId: payload.u ?? null, sessionId: payload.s ?? null, clientAddress: payload.a ?? null, userAgent: payload.g ?? null };
}

/** The payload of `assertion` when its signature is `secret`'s, else `undefined`. */
function signedPayload(secret: string, assertion: string): AssertionPayload | undefined {
  const dot = assertion.indexOf('.');
  if (dot <= 0) return undefined;
  const body = assertion.slice(0, dot);
  const given = Buffer.from(assertion.slice(dot + 1), 'base64url');
  const expected = Buffer.from(mac(secret, body), 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as AssertionPayload;
  } catch {
    return undefined;
  }
}

function mac(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url');
}
