/** Accounts: sign-up and sign-in. Passwords are hashed with argon2id and never leave this service. */
import { hash, verify } from '@node-rs/argon2';
import type { EntityManager } from '../../../platform/db/orm.ts';
import type { EventBus } from '../../../platform/events/bus.ts';
import type { TokenSigner } from '../../../platform/auth/access-tokens.ts';
import { badInput, conflict, unauthenticated } from '../../../platform/errors.ts';
import { isUuid } from '../../../platform/ids.ts';
import { Session, User } from '../entities/index.ts';

/**
 * OWASP's recommended argon2id parameters (19 MiB, 2 passes). `algorithm: 2` is
 * `Algorithm.Argon2id`, a const enum that type-stripped TypeScript cannot import.
 */
const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

const HANDLE = /^[A-Za-z0-9_]{3,32}$/;

export interface SignedIn {
  user: User;
  accessToken: string;
  accessTokenExpiresAt: Date;
}

export class AccountService {
  readonly #bus: EventBus;
  readonly #tokens: TokenSigner;

  constructor(bus: EventBus, tokens: TokenSigner) {
    this.#bus = bus;
    this.#tokens = tokens;
  }

  async signUp(em: EntityManager, input: { handle: string; displayName: string; password: string }): Promise<SignedIn> {
    const handle = input.handle.trim();
    const displayName = input.displayName.trim();
    if (!HANDLE.test(handle)) throw badInput('A handle is 3 to 32 letters, digits or underscores.', 'handle');
    if (displayName.length < 1 || displayName.length > 64) throw badInput('A display name is 1 to 64 characters.', 'displayName');
    if (input.password.length < 8 || input.password.length > 256) throw badInput('A password is 8 to 256 characters.', 'password');

    const passwordHash = await hash(input.password, ARGON2_OPTIONS);
    let user: User;
    let session: Session;
    try {
      ({ user, session } = await em.transactional(async (tx) => {
        const u = tx.create(User, { handle, handleKey: handle.toLowerCase(), displayName, passwordHash });
        const s = tx.create(Session, { user: u });
        return { user: u, session: s };
      }));
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`The handle @${handle} is taken.`);
      throw err;
    }
    // Published after the commit above: consumers never see a user that does not exist.
    await this.#bus.publish('community.user.created', { userId: user.id, handle: user.handle, displayName: user.displayName });
    return this.#issue(user, session);
  }

  async signIn(em: EntityManager, input: { handle: string; password: string }): Promise<SignedIn> {
    const user = await em.findOne(User, { handleKey: input.handle.trim().replace(/^@/, '').toLowerCase() }, { populate: ['passwordHash'] });
    // Verify against a dummy hash when the user does not exist, so timing does not reveal handles.
    const ok = await verify(user?.passwordHash ?? DUMMY_HASH, input.password).catch(() => false);
    if (!user || !ok) throw unauthenticated('Wrong handle or password.');
    const session = em.create(Session, { user });
    await em.flush();
    return this.#issue(user, session);
  }

  async findUser(em: EntityManager, id: string): Promise<User | null> {
    return isUuid(id) ? em.findOne(User, { id }) : null;
  }

  async findUserByHandle(em: EntityManager, handle: string): Promise<User | null> {
    const h = handle.trim().replace(/^@/, '');
    return HANDLE.test(h) ? em.findOne(User, { handleKey: h.toLowerCase() }) : null;
  }

  async #issue(user: User, session: Session): Promise<SignedIn> {
    const { token, expiresAt } = await this.#tokens.sign({ sub: user.id, sid: session.id });
    return { user, accessToken: token, accessTokenExpiresAt: expiresAt };
  }
}

const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$T0lq1zH8WwzK2xzOAxmO0j8WyqGQnHjWZJ1Jm2T3r0M';

export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '23505' || (err as { name?: unknown } | null)?.name === 'UniqueConstraintViolationException';
}
