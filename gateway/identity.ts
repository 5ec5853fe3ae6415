/**
 * Who is calling: the gateway reads the access token from `Authorization: Bearer …`,
 * verifies it against the community service's JWKS, and forwards the result to
 * subgraphs as a signed assertion. A request with a bad or expired token is refused;
 * a request with no token is anonymous.
 */
import type { IncomingMessage } from 'node:http';
import type { TokenVerifier } from '../platform/auth/access-tokens.ts';
import type { GatewayIdentity } from '../platform/auth/gateway-trust.ts';

export const ANONYMOUS: GatewayIdentity = { userId: null, sessionId: null };

export type IdentityResult = { ok: true; identity: GatewayIdentity } | { ok: false; reason: string };

export async function identify(req: IncomingMessage, verifier: TokenVerifier): Promise<IdentityResult> {
  const client = { clientAddress: req.socket.remoteAddress ?? null, userAgent: req.headers['user-agent'] ?? null };
  const header = req.headers.authorization;
  if (!header) return { ok: true, identity: { ...ANONYMOUS, ...client } };
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) return { ok: false, reason: 'The Authorization header must be "Bearer <access token>".' };
  const claims = await verifier.verify(match[1]);
  if (!claims) return { ok: false, reason: 'The access token is invalid or expired.' };
  return { ok: true, identity: { userId: claims.sub, sessionId: claims.sid, ...client } };
}

/**
 * Who opens a graphql-ws connection: the access token in the `connection_init` payload, as
 * `authorization: "Bearer …"` (the header's spelling, any case) or `accessToken`. No token
 * is anonymous; a bad or expired one is refused.
 */
export async function identifyConnection(
  payload: Record<string, unknown> | undefined,
  req: IncomingMessage,
  verifier: TokenVerifier,
): Promise<{ ok: true; identity: GatewayIdentity; expiresAt: number | null } | { ok: false; reason: string }> {
  const client = { clientAddress: req.socket.remoteAddress ?? null, userAgent: req.headers['user-agent'] ?? null };
  const entry = Object.entries(payload ?? {}).find(([k]) => k.toLowerCase() === 'authorization' || k === 'accessToken');
  if (!entry) return { ok: true, identity: { ...ANONYMOUS, ...client }, expiresAt: null };
  const value = entry[1];
  const token = typeof value === 'string' ? (/^Bearer\s+(\S+)$/i.exec(value)?.[1] ?? (entry[0] === 'accessToken' ? value : undefined)) : undefined;
  if (!token) return { ok: false, reason: 'connection_init must carry "authorization": "Bearer <access token>".' };
  const claims = await verifier.verify(token);
  if (!claims) return { ok: false, reason: 'The access token is invalid or expired.' };
  return { ok: true, identity: { userId: claims.sub, sessionId: claims.sid, ...client }, expiresAt: claims.exp * 1000 };
}
