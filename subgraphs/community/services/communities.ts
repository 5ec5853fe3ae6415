/** Communities and membership: create, edit, delete, transfer, leave, and member lists. */
import type { EntityManager } from '../../../platform/db/orm.ts';
import { badInput, forbidden, notFound, unauthenticated } from '../../../platform/errors.ts';
import { isUuid } from '../../../platform/ids.ts';
import { timeAndIdCursor, toConnection, toPage, type Connection, type PageArgs } from '../../../platform/graphql/connection.ts';
import { Channel, Community, Member, MemberRole, Role } from '../entities/index.ts';
import { DEFAULT_EVERYONE, P } from '../permissions/flags.ts';
import { recordAudit } from './audit.ts';
import type { Authorizer } from './authorization.ts';
import type { ChangeFeed } from './changes.ts';

/** Members are ordered by when they joined, then by user id. */
const memberCursor = timeAndIdCursor('mem');

export function checkCommunityName(raw: string): string {
  const name = raw.trim();
  if (name.length < 2 || name.length > 100) throw badInput('A community name is 2 to 100 characters.', 'name');
  return name;
}

function checkDescription(raw: string): string | null {
  const d = raw.trim();
  if (d.length > 1000) throw badInput('A description is at most 1,000 characters.', 'description');
  return d || null;
}

export class CommunityService {
  readonly #changes: ChangeFeed;

  constructor(changes: ChangeFeed) {
    this.#changes = changes;
  }

  async create(em: EntityManager, viewerId: string | null, input: { name: string; description?: string | null }): Promise<Community> {
    if (!viewerId) throw unauthenticated();
    const name = checkCommunityName(input.name);
    const description = input.description != null ? checkDescription(input.description) : null;
    return em.transactional(async (tx) => {
      const community = tx.create(Community, { name, description, owner: viewerId });
      tx.create(Role, { id: community.id, community, name: '@everyone', color: 0, position: 0, permissions: DEFAULT_EVERYONE, mentionable: false });
      tx.create(Member, { community, user: viewerId, nickname: null, timedOutUntil: null });
      tx.create(Channel, { community, name: 'general', type: 'TEXT', position: 0, topic: null, parentId: null, permissionsSynced: false, slowModeSeconds: 0 });
      return community;
    });
  }

  async update(em: EntityManager, auth: Authorizer, viewerId: string | null, input: { communityId: string; name?: string | null; description?: string | null }): Promise<Community> {
    const { loaded, userId } = await auth.require(input.communityId, viewerId, 'MANAGE_COMMUNITY');
    const community = loaded.community;
    const before = { name: community.name, description: community.description };
    if (input.name != null) community.name = checkCommunityName(input.name);
    if (input.description != null) community.description = checkDescription(input.description);
    await em.transactional(async (tx) => {
      tx.persist(community);
      recordAudit(tx, { communityId: community.id, actorId: userId, action: 'COMMUNITY_UPDATE', targetType: 'COMMUNITY', targetId: community.id, before, after: { name: community.name, description: community.description } });
    });
    return community;
  }

  async delete(em: EntityManager, auth: Authorizer, viewerId: string | null, communityId: string): Promise<boolean> {
    const { member } = await auth.requireMember(communityId, viewerId);
    if (!member.isOwner) throw forbidden('Only the owner can delete a community.');
    await em.transactional(async (tx) => {
      await tx.nativeDelete(Community, { id: communityId });
      this.#changes.communityDeleted(tx, communityId);
    });
    this.#changes.published();
    return true;
  }

  async transfer(em: EntityManager, auth: Authorizer, viewerId: string | null, communityId: string, newOwnerId: string): Promise<Community> {
    const { loaded, member, userId } = await auth.requireMember(communityId, viewerId);
    if (!member.isOwner) throw forbidden('Only the owner can transfer a community.');
    if (newOwnerId === userId) throw badInput('You already own this community.', 'userId');
    if (!(await auth.member(communityId, newOwnerId))) throw notFound('Member', newOwnerId);
    const community = loaded.community;
    await em.transactional(async (tx) => {
      await tx.nativeUpdate(Community, { id: communityId }, { owner: newOwnerId });
      recordAudit(tx, { communityId, actorId: userId, action: 'COMMUNITY_TRANSFER', targetType: 'COMMUNITY', targetId: communityId, before: { ownerId: userId }, after: { ownerId: newOwnerId } });
      this.#changes.permissionsChanged(tx, communityId, 'ownership transferred');
    });
    auth.forget(communityId);
    this.#changes.published();
    await em.refresh(community);
    return community;
  }

  async leave(em: EntityManager, auth: Authorizer, viewerId: string | null, communityId: string): Promise<boolean> {
    const { member, userId } = await auth.requireMember(communityId, viewerId);
    if (member.isOwner) throw forbidden('The owner cannot leave; transfer the community first.');
    await em.transactional(async (tx) => {
      await tx.nativeDelete(MemberRole, { community: communityId, user: userId });
      await tx.nativeDelete(Member, { community: communityId, user: userId });
      this.#changes.memberRemoved(tx, { communityId, userId, reason: 'LEAVE', deleteMessageSeconds: 0 });
    });
    this.#changes.published();
    return true;
  }

  /** The community, when the user is a member of it, else `null` (existence is not revealed). */
  async findVisible(auth: Authorizer, userId: string | null, communityId: string): Promise<Community | null> {
    if (!userId || !isUuid(communityId)) return null;
    const [loaded, member] = await Promise.all([auth.community(communityId), auth.member(communityId, userId)]);
    return loaded && member ? loaded.community : null;
  }

  async listForUser(em: EntityManager, userId: string | null): Promise<Community[]> {
    if (!userId) return [];
    const members = await em.find(Member, { user: userId }, { populate: ['community'], orderBy: { joinedAt: 'asc' } });
    return members.map((m) => m.community.getEntity());
  }

  async isMember(auth: Authorizer, communityId: string, userId: string | null): Promise<boolean> {
    return (await auth.member(communityId, userId)) !== null;
  }

  /** Members oldest first, keyset-paged on (join time, user id). */
  async members(em: EntityManager, auth: Authorizer, viewerId: string | null, communityId: string, args: PageArgs): Promise<Connection<Member>> {
    await auth.requireMember(communityId, viewerId);
    if (args.last != null || args.before != null) throw badInput('Members page forward only; use `first` and `after`.');
    const page = toPage(memberCursor, args, 50);
    const after = page.after;
    const rows = await em.find(
      Member,
      {
        community: communityId,
        ...(after ? { $or: [{ joinedAt: { $gt: after.at } }, { joinedAt: after.at, user: { $gt: after.id } }] } : {}),
      },
      { orderBy: { joinedAt: 'asc', user: 'asc' }, limit: page.limit, populate: ['user'] },
    );
    return toConnection(rows, page, memberCursor, (m) => ({ at: m.joinedAt, id: m.user.id }));
  }

  /** Channels of the community the viewer can see. */
  async visibleChannels(em: EntityManager, auth: Authorizer, viewerId: string | null, communityId: string): Promise<Channel[]> {
    if (!(await auth.member(communityId, viewerId))) return [];
    const channels = await em.find(Channel, { community: communityId }, { orderBy: { position: 'asc', id: 'asc' } });
    const bits = await Promise.all(channels.map((c) => auth.inChannel(c, viewerId)));
    return channels.filter((_, i) => ((bits[i] ?? 0n) & P.VIEW_CHANNEL) !== 0n);
  }
}
