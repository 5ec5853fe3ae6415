/**
 * Sessions and their tokens. A session is one sign-in; each refresh token works once and
 * is replaced by the next; presenting a token that was already used means it leaked, so
 * the whole session ends (its access tokens simply expire, at most ACCESS_TOKEN_TTL later).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '../../../platform/db/orm.ts';
import type { TokenSigner } from '../../../platform/auth/access-tokens.ts';
import type { GatewayIdentity } from '../../../platform/auth/gateway-trust.ts';
import { unauthenticated } from '../../../platform/errors.ts';
import { isUuid } from '../../../platform/ids.ts';
import type { User } from '../entities/index.ts';
import { RefreshToken, Session } from '../entities/index.ts';

/** A session lasts at most this long, however often it refreshes. */
export const SESSION_LIFETIME_SECONDS = 30 * 24 * 3600;

export interface IssuedTokens {
  user: User;
  session: Session;
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
}

export class SessionService {
  readonly #tokens: TokenSigner;

  constructor(tokens: TokenSigner) {
    this.#tokens = tokens;
  }

  /** Starts a session for `user` in the transaction `tx` and returns its first tokens. */
  async start(tx: EntityManager, user: User, client: GatewayIdentity): Promise<IssuedTokens> {
    const session = tx.create(Session, {
      user,
      userAgent: client.userAgent?.slice(0, 300) ?? null,
      clientAddress: client.clientAddress?.slice(0, 64) ?? null,
      expiresAt: new Date(Date.now() + SESSION_LIFETIME_SECONDS * 1000),
      revokedAt: null,
      revokedReason: null,
    });
    const refreshToken = this.#newRefreshToken(tx, session);
    await tx.flush();
    return this.#issue(user, session, refreshToken);
  }

  /** Exchanges a refresh token for the next one; reuse of a spent token revokes the session. */
  async refresh(em: EntityManager, presented: string): Promise<IssuedTokens> {
    const parsed = parseRefreshToken(presented);
    if (!parsed) throw unauthenticated('The refresh token is not valid.');
    const outcome = await em.transactional(async (tx) => {
      const row = await tx.findOne(RefreshToken, { id: parsed.id }, { populate: ['session', 'session.user'], lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!row || !safeEqual(row.secretHash, hashSecret(parsed.secret))) return { error: 'The refresh token is not valid.' } as const;
      const session = row.session.getEntity();
      if (session.revokedAt || session.expiresAt <= new Date()) return { error: 'This session has ended; sign in again.' } as const;
      if (row.usedAt) {
        session.revokedAt = new Date();
        session.revokedReason = 'refresh token reused';
        return { error: 'This refresh token was already used; the session has been ended for safety.' } as const;
      }
      row.usedAt = new Date();
      session.lastUsedAt = new Date();
      const next = this.#newRefreshToken(tx, session);
      return { session, user: session.user.getEntity(), next } as const;
    });
    if ('error' in outcome) throw unauthenticated(outcome.error);
    return this.#issue(outcome.user, outcome.session, outcome.next);
  }

  async revoke(em: EntityManager, userId: string, sessionId: string, reason: string): Promise<boolean> {
    if (!isUuid(sessionId)) return false;
    const n = await em.nativeUpdate(Session, { id: sessionId, user: userId, revokedAt: null }, { revokedAt: new Date(), revokedReason: reason });
    return n > 0;
  }

  /** Ends every session of a user but `keep` (after a password change). */
  async revokeOthers(em: EntityManager, userId: string, keep: string | null, reason: string): Promise<void> {
    await em.nativeUpdate(
      Session,
      { user: userId, revokedAt: null, ...(keep ? { id: { $ne: keep } } : {}) },
      { revokedAt: new Date(), revokedReason: reason },
    );
  }

  async list(em: EntityManager, userId: string): Promise<Session[]> {
    return em.find(Session, { user: userId, revokedAt: null, expiresAt: { $gt: new Date() } }, { orderBy: { id: 'desc' } });
  }

  #newRefreshToken(tx: EntityManager, session: Session): string {
    const secret = randomBytes(32).toString('base64url');
    const row = tx.create(RefreshToken, { session, secretHash: hashSecret(secret), usedAt: null });
    return `${row.id}.${secret}`;
  }

  async #issue(user: User, session: Session, refreshToken: string): Promise<IssuedTokens> {
    const { token, expiresAt } = await this.#tokens.sign({ sub: user.id, sid: session.id });
    return { user, session, accessToken: token, accessTokenExpiresAt: expiresAt, refreshToken };
  }
}

function parseRefreshToken(token: string): { id: string; secret: string } | undefined {
  const dot = token.indexOf('.');
  if (dot < 0) return undefined;
  const id = token.slice(0, dot);
  const secret = token.slice(dot + 1);
  return isUuid(id) && secret.length >= 32 && secret.length <= 64 ? { id, secret } : undefined;
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
