/** Moderation: kick, ban, unban and timeouts, each bound by the role hierarchy. */
import type { EntityManager } from '../../../platform/db/orm.ts';
import { badInput, forbidden, notFound } from '../../../platform/errors.ts';
import { isUuid } from '../../../platform/ids.ts';
import { timeAndIdCursor, toConnection, toPage, type Connection, type PageArgs } from '../../../platform/graphql/connection.ts';
import { Ban, Member, MemberRole, User } from '../entities/index.ts';
import type { Permission } from '../permissions/flags.ts';
import { checkReason, recordAudit } from './audit.ts';
import type { Authorizer } from './authorization.ts';
import type { ChangeFeed } from './changes.ts';

/** Bans are ordered newest first, then by user id. */
const banCursor = timeAndIdCursor('ban');

const MAX_TIMEOUT_MS = 28 * 24 * 3600 * 1000;
const MAX_PURGE_SECONDS = 7 * 24 * 3600;

export interface ModerationInput {
  communityId: string;
  userId: string;
  reason?: string | null;
}

export class ModerationService {
  readonly #changes: ChangeFeed;

  constructor(changes: ChangeFeed) {
    this.#changes = changes;
  }

  async kick(em: EntityManager, auth: Authorizer, viewerId: string | null, input: ModerationInput): Promise<boolean> {
    const { actorId, reason } = await this.#authorize(em, auth, viewerId, input, 'KICK_MEMBERS', true);
    await em.transactional(async (tx) => {
      await tx.nativeDelete(MemberRole, { community: input.communityId, user: input.userId });
      await tx.nativeDelete(Member, { community: input.communityId, user: input.userId });
      recordAudit(tx, { communityId: input.communityId, actorId, action: 'MEMBER_KICK', targetType: 'MEMBER', targetId: input.userId, reason });
      this.#changes.memberRemoved(tx, { communityId: input.communityId, userId: input.userId, reason: 'KICK', deleteMessageSeconds: 0 });
    });
    auth.forget(input.communityId);
    this.#changes.published();
    return true;
  }

  async ban(em: EntityManager, auth: Authorizer, viewerId: string | null, input: ModerationInput, deleteMessageSeconds: number): Promise<boolean> {
    if (!Number.isInteger(deleteMessageSeconds) || deleteMessageSeconds < 0 || deleteMessageSeconds > MAX_PURGE_SECONDS) {
      throw badInput(`Messages of at most the last ${MAX_PURGE_SECONDS} seconds can be deleted.`, 'deleteMessageSeconds');
    }
    // A ban may target someone who is not (or no longer) a member.
    const { actorId, reason } = await this.#authorize(em, auth, viewerId, input, 'BAN_MEMBERS', false);
    await em.transactional(async (tx) => {
      await tx.nativeDelete(MemberRole, { community: input.communityId, user: input.userId });
      await tx.nativeDelete(Member, { community: input.communityId, user: input.userId });
      await tx.upsert(Ban, { community: input.communityId, user: input.userId, reason, bannedBy: actorId });
      recordAudit(tx, { communityId: input.communityId, actorId, action: 'MEMBER_BAN', targetType: 'MEMBER', targetId: input.userId, reason, after: { deleteMessageSeconds } });
      this.#changes.memberRemoved(tx, { communityId: input.communityId, userId: input.userId, reason: 'BAN', deleteMessageSeconds });
    });
    auth.forget(input.communityId);
    this.#changes.published();
    return true;
  }

  async unban(em: EntityManager, auth: Authorizer, viewerId: string | null, input: ModerationInput): Promise<boolean> {
    const { userId: actorId } = await auth.require(input.communityId, viewerId, 'BAN_MEMBERS');
    const reason = checkReason(input.reason);
    if (!isUuid(input.userId)) throw notFound('Ban', input.userId);
    const removed = await em.transactional(async (tx) => {
      const n = await tx.nativeDelete(Ban, { community: input.communityId, user: input.userId });
      if (n > 0) recordAudit(tx, { communityId: input.communityId, actorId, action: 'MEMBER_UNBAN', targetType: 'MEMBER', targetId: input.userId, reason });
      return n;
    });
    if (removed === 0) throw notFound('Ban', input.userId);
    return true;
  }

  async timeout(em: EntityManager, auth: Authorizer, viewerId: string | null, input: ModerationInput, until: Date | null): Promise<Member> {
    if (until && (until.getTime() <= Date.now() || until.getTime() > Date.now() + MAX_TIMEOUT_MS)) {
      throw badInput('A timeout ends in the future, at most 28 days ahead.', 'until');
    }
    const { actorId, reason } = await this.#authorize(em, auth, viewerId, input, 'MODERATE_MEMBERS', true);
    const member = await em.findOneOrFail(Member, { community: input.communityId, user: input.userId });
    const before = { timedOutUntil: member.timedOutUntil?.toISOString() ?? null };
    member.timedOutUntil = until;
    await em.transactional(async (tx) => {
      tx.persist(member);
      recordAudit(tx, { communityId: input.communityId, actorId, action: 'MEMBER_TIMEOUT', targetType: 'MEMBER', targetId: input.userId, reason, before, after: { timedOutUntil: until?.toISOString() ?? null } });
      this.#changes.permissionsChanged(tx, input.communityId, until ? 'member timed out' : 'timeout lifted', { userId: input.userId });
    });
    auth.forget(input.communityId);
    this.#changes.published();
    return member;
  }

  /** Bans, most recent first, keyset-paged on (time, user id). */
  async bans(em: EntityManager, auth: Authorizer, viewerId: string | null, communityId: string, args: PageArgs): Promise<Connection<Ban>> {
    await auth.require(communityId, viewerId, 'BAN_MEMBERS');
    if (args.last != null || args.before != null) throw badInput('Bans page forward only; use `first` and `after`.');
    const page = toPage(banCursor, args, 50);
    const after = page.after;
    const rows = await em.find(
      Ban,
      {
        community: communityId,
        ...(after ? { $or: [{ createdAt: { $lt: after.at } }, { createdAt: after.at, user: { $gt: after.id } }] } : {}),
      },
      { orderBy: { createdAt: 'desc', user: 'asc' }, limit: page.limit },
    );
    return toConnection(rows, page, banCursor, (b) => ({ at: b.createdAt, id: b.user.id }));
  }

  /** Checks the permission and the hierarchy: the target must rank below the actor and not be the owner. */
  async #authorize(em: EntityManager, auth: Authorizer, viewerId: string | null, input: ModerationInput, permission: Permission, mustBeMember: boolean): Promise<{ actorId: string; reason: string | null }> {
    const ctx = await auth.require(input.communityId, viewerId, permission);
    const reason = checkReason(input.reason);
    if (input.userId === ctx.userId) throw badInput('You cannot do this to yourself.', 'userId');
    const target = isUuid(input.userId) ? await auth.member(input.communityId, input.userId) : null;
    if (!target) {
      if (mustBeMember || !isUuid(input.userId) || (await em.count(User, { id: input.userId })) === 0) throw notFound('Member', input.userId);
      return { actorId: ctx.userId, reason };
    }
    if (target.isOwner) throw forbidden('Nobody can do this to the owner.');
    if (auth.highestPosition(ctx.loaded, target) >= auth.highestPosition(ctx.loaded, ctx.member)) {
      throw forbidden('You can only do this to members below your highest role.');
    }
    return { actorId: ctx.userId, reason };
  }
}
