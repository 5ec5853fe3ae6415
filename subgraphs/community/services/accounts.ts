/**
 * Accounts: sign-up, sign-in, password changes and profiles. Passwords are hashed with
 * argon2id and never leave this service; sign-in and sign-up are rate-limited per account
 * and per client address.
 */
import { hash, verify } from '@node-rs/argon2';
import type { EntityManager } from '../../../platform/db/orm.ts';
import type { ChangeFeed } from './changes.ts';
import type { GatewayIdentity } from '../../../platform/auth/gateway-trust.ts';
import type { ObjectStore } from '../../../platform/storage/object-store.ts';
import type { RateLimiter, RateLimitRule } from '../../../platform/rate-limit.ts';
import { badInput, conflict, notFound, rateLimited, unauthenticated } from '../../../platform/errors.ts';
import { isUuid, newId } from '../../../platform/ids.ts';
import { User } from '../entities/index.ts';
import type { IssuedTokens, SessionService } from './sessions.ts';

/**
 * OWASP's recommended argon2id parameters (19 MiB, 2 passes). `algorithm: 2` is
 * `Algorithm.Argon2id`, a const enum that type-stripped TypeScript cannot import.
 */
const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

const HANDLE = /^[A-Za-z0-9_]{3,32}$/;

/** Limits on sign-in and sign-up, from the configuration. */
export interface AuthLimits {
  signUpPerAddress: number;
  signInPerAccount: number;
  signInPerAddress: number;
}

export const AVATAR_TYPES = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/gif']);
export const MAX_AVATAR_BYTES = 5 * 1024 * 1024;
const AVATAR_UPLOAD_TTL_SECONDS = 10 * 60;
const AVATAR_URL_TTL_SECONDS = 3600;

export interface AccountServiceDeps {
  changes: ChangeFeed;
  sessions: SessionService;
  limiter: RateLimiter;
  store: ObjectStore;
  limits: AuthLimits;
}

export class AccountService {
  readonly #d: AccountServiceDeps;
  readonly #signUpPerAddress: RateLimitRule;
  readonly #signInPerAccount: RateLimitRule;
  readonly #signInPerAddress: RateLimitRule;

  constructor(deps: AccountServiceDeps) {
    this.#d = deps;
    this.#signUpPerAddress = { name: 'sign-up:address', limit: deps.limits.signUpPerAddress, windowSeconds: 3600 };
    this.#signInPerAccount = { name: 'sign-in:account', limit: deps.limits.signInPerAccount, windowSeconds: 300 };
    this.#signInPerAddress = { name: 'sign-in:address', limit: deps.limits.signInPerAddress, windowSeconds: 300 };
  }

  async signUp(em: EntityManager, client: GatewayIdentity, input: { handle: string; displayName: string; password: string }): Promise<IssuedTokens> {
    const handle = checkHandle(input.handle);
    const displayName = checkDisplayName(input.displayName);
    checkPassword(input.password, 'password');
    await this.#limit(this.#signUpPerAddress, client.clientAddress ?? 'unknown');

    const passwordHash = await hash(input.password, ARGON2_OPTIONS);
    let issued: IssuedTokens;
    try {
      issued = await em.transactional(async (tx) => {
        const user = tx.create(User, { handle, handleKey: handle.toLowerCase(), displayName, passwordHash, bio: null, avatarKey: null });
        this.#d.changes.userCreated(tx, { userId: user.id, handle, displayName });
        return this.#d.sessions.start(tx, user, client);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`The handle @${handle} is taken.`);
      throw err;
    }
    this.#d.changes.published();
    return issued;
  }

  async signIn(em: EntityManager, client: GatewayIdentity, input: { handle: string; password: string }): Promise<IssuedTokens> {
    const key = input.handle.trim().replace(/^@/, '').toLowerCase().slice(0, 64);
    await this.#limit(this.#signInPerAddress, client.clientAddress ?? 'unknown');
    await this.#limit(this.#signInPerAccount, key);
    const user = await em.findOne(User, { handleKey: key }, { populate: ['passwordHash'] });
    // Verify against a dummy hash when the user does not exist, so timing does not reveal handles.
    const ok = await verify(user?.passwordHash ?? DUMMY_HASH, input.password).catch(() => false);
    if (!user || !ok) throw unauthenticated('Wrong handle or password.');
    return em.transactional((tx) => this.#d.sessions.start(tx, tx.merge(user), client));
  }

  async changePassword(em: EntityManager, viewer: GatewayIdentity, current: string, next: string): Promise<void> {
    const userId = requireUser(viewer);
    checkPassword(next, 'newPassword');
    await this.#limit(this.#signInPerAccount, `id:${userId}`);
    const user = await em.findOne(User, { id: userId }, { populate: ['passwordHash'] });
    if (!user) throw unauthenticated();
    if (!(await verify(user.passwordHash, current).catch(() => false))) throw unauthenticated('The current password is wrong.');
    user.passwordHash = await hash(next, ARGON2_OPTIONS);
    await em.transactional(async (tx) => {
      tx.persist(user);
      await this.#d.sessions.revokeOthers(tx, userId, viewer.sessionId, 'password changed');
    });
  }

  async updateProfile(em: EntityManager, viewer: GatewayIdentity, input: { displayName?: string | null; bio?: string | null; handle?: string | null }): Promise<User> {
    const userId = requireUser(viewer);
    const user = await em.findOne(User, { id: userId });
    if (!user) throw unauthenticated();
    if (input.displayName != null) user.displayName = checkDisplayName(input.displayName);
    if (input.bio != null) {
      const bio = input.bio.trim();
      if (bio.length > 500) throw badInput('A bio is at most 500 characters.', 'bio');
      user.bio = bio || null;
    }
    if (input.handle != null) {
      user.handle = checkHandle(input.handle);
      user.handleKey = user.handle.toLowerCase();
    }
    try {
      await em.transactional(async (tx) => {
        tx.persist(user);
        this.#d.changes.userUpdated(tx, { userId, handle: user.handle, displayName: user.displayName });
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`The handle @${user.handle} is taken.`);
      throw err;
    }
    this.#d.changes.published();
    return user;
  }

  async requestAvatarUpload(viewer: GatewayIdentity, contentType: string, byteSize: number): Promise<{ uploadUrl: string; uploadId: string; expiresAt: Date }> {
    const userId = requireUser(viewer);
    if (!AVATAR_TYPES.has(contentType)) throw badInput(`An avatar is one of ${[...AVATAR_TYPES].join(', ')}.`, 'contentType');
    if (!Number.isInteger(byteSize) || byteSize <= 0 || byteSize > MAX_AVATAR_BYTES) throw badInput('An avatar is at most 5 MiB.', 'byteSize');
    const uploadId = newId();
    const uploadUrl = await this.#d.store.presignPut(avatarKey(userId, uploadId), AVATAR_UPLOAD_TTL_SECONDS);
    return { uploadUrl, uploadId, expiresAt: new Date(Date.now() + AVATAR_UPLOAD_TTL_SECONDS * 1000) };
  }

  async setAvatar(em: EntityManager, viewer: GatewayIdentity, uploadId: string): Promise<User> {
    const userId = requireUser(viewer);
    if (!isUuid(uploadId)) throw notFound('Upload', uploadId);
    const key = avatarKey(userId, uploadId);
    const object = await this.#d.store.stat(key);
    if (!object) throw notFound('Upload', uploadId);
    if (object.size > MAX_AVATAR_BYTES || !object.contentType || !AVATAR_TYPES.has(object.contentType)) {
      await this.#d.store.remove(key);
      throw badInput('The uploaded file is not an image of an accepted type and size.', 'uploadId');
    }
    const user = await em.findOne(User, { id: userId });
    if (!user) throw unauthenticated();
    const previous = user.avatarKey;
    user.avatarKey = key;
    await em.flush();
    if (previous && previous !== key) await this.#d.store.remove(previous).catch(() => undefined);
    return user;
  }

  avatarUrl(user: User): Promise<string> | null {
    return user.avatarKey ? this.#d.store.presignGet(user.avatarKey, AVATAR_URL_TTL_SECONDS) : null;
  }

  async findUser(em: EntityManager, id: string): Promise<User | null> {
    return isUuid(id) ? em.findOne(User, { id }) : null;
  }

  async findUserByHandle(em: EntityManager, handle: string): Promise<User | null> {
    const h = handle.trim().replace(/^@/, '');
    return HANDLE.test(h) ? em.findOne(User, { handleKey: h.toLowerCase() }) : null;
  }

  async #limit(rule: RateLimitRule, key: string): Promise<void> {
    const outcome = await this.#d.limiter.hit(rule, key);
    if (!outcome.allowed) throw rateLimited(outcome.retryAfterSeconds);
  }
}

function avatarKey(userId: string, uploadId: string): string {
  return `avatars/${userId}/${uploadId}`;
}

export function requireUser(viewer: GatewayIdentity): string {
  if (!viewer.userId) throw unauthenticated();
  return viewer.userId;
}

function checkHandle(raw: string): string {
  const handle = raw.trim().replace(/^@/, '');
  if (!HANDLE.test(handle)) throw badInput('A handle is 3 to 32 letters, digits or underscores.', 'handle');
  return handle;
}

function checkDisplayName(raw: string): string {
  const name = raw.trim();
  if (name.length < 1 || name.length > 64) throw badInput('A display name is 1 to 64 characters.', 'displayName');
  return name;
}

function checkPassword(password: string, field: string): void {
  if (password.length < 8 || password.length > 256) throw badInput('A password is 8 to 256 characters.', field);
}

const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$T0lq1zH8WwzK2xzOAxmO0j8WyqGQnHjWZJ1Jm2T3r0M';

export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '23505' || (err as { name?: unknown } | null)?.name === 'UniqueConstraintViolationException';
}
