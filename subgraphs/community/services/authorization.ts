/**
 * Who may do what: loads the facts (membership, roles, overwrites) and applies the pure
 * rules of permissions/compute.ts. One `Authorizer` per request memoises what it loads,
 * so checking many channels of one community costs a constant number of queries.
 */
import type { EntityManager } from '../../../platform/db/orm.ts';
import { forbidden, notFound, unauthenticated } from '../../../platform/errors.ts';
import { isUuid } from '../../../platform/ids.ts';
import type { Channel} from '../entities/index.ts';
import { ChannelOverwrite, Community, Member, MemberRole, Role } from '../entities/index.ts';
import { basePermissions, channelPermissions, type CommunityFacts, type MemberFacts, type Overwrite } from '../permissions/compute.ts';
import { P, type Permission } from '../permissions/flags.ts';

export interface LoadedCommunity {
  community: Community;
  facts: CommunityFacts;
  /** Roles highest first, @everyone last. */
  roles: Role[];
}

/** Where a member's facts are memoised: forget() drops a community's by this prefix. */
const memberKey = (communityId: string, userId: string) => `${communityId}:${userId}`;

export class Authorizer {
  readonly #em: EntityManager;
  readonly #communities = new Map<string, Promise<LoadedCommunity | null>>();
  readonly #members = new Map<string, Promise<MemberFacts | null>>();
  readonly #overwrites = new Map<string, Promise<Overwrite[]>>();

  constructor(em: EntityManager) {
    this.#em = em;
  }

  community(communityId: string): Promise<LoadedCommunity | null> {
    let p = this.#communities.get(communityId);
    if (!p) {
      p = this.#loadCommunity(communityId);
      this.#communities.set(communityId, p);
    }
    return p;
  }

  member(communityId: string, userId: string | null): Promise<MemberFacts | null> {
    if (!userId) return Promise.resolve(null);
    const key = memberKey(communityId, userId);
    let p = this.#members.get(key);
    if (!p) {
      p = this.#loadMember(communityId, userId);
      this.#members.set(key, p);
    }
    return p;
  }

  /**
   * Loads the membership of many users of one community at once (two queries, whatever
   * their number); `member` then answers them from memory.
   */
  preloadMembers(communityId: string, userIds: readonly string[]): Promise<void> {
    const wanted = [...new Set(userIds)].filter((u) => !this.#members.has(memberKey(communityId, u)));
    if (wanted.length === 0) return Promise.resolve();
    const loaded = this.#loadMembers(communityId, wanted);
    for (const u of wanted) this.#members.set(memberKey(communityId, u), loaded.then((facts) => facts.get(u) ?? null));
    return loaded.then(() => undefined);
  }

  /** Community-wide permissions; 0 for non-members. */
  async base(communityId: string, userId: string | null): Promise<bigint> {
    const [loaded, member] = await Promise.all([this.community(communityId), this.member(communityId, userId)]);
    return loaded && member ? basePermissions(member, loaded.facts) : 0n;
  }

  /** Permissions in a channel; 0 for non-members. */
  async inChannel(channel: Channel, userId: string | null): Promise<bigint> {
    const communityId = channel.community.id;
    const [loaded, member, overwrites] = await Promise.all([
      this.community(communityId),
      this.member(communityId, userId),
      this.overwritesFor(channel),
    ]);
    return loaded && member ? channelPermissions(member, loaded.facts, { overwrites }) : 0n;
  }

  /** The overwrites that apply to a channel: its category's when it is synced with one. */
  overwritesFor(channel: Channel): Promise<Overwrite[]> {
    const sourceId = channel.permissionsSynced && channel.parentId ? channel.parentId : channel.id;
    let p = this.#overwrites.get(sourceId);
    if (!p) {
      p = this.#em
        .find(ChannelOverwrite, { channel: sourceId })
        .then((rows) => rows.map((o) => ({ targetType: o.targetType, targetId: o.targetId, allow: o.allow, deny: o.deny })));
      this.#overwrites.set(sourceId, p);
    }
    return p;
  }

  /** The community, when the viewer is a member; NOT_FOUND otherwise (existence is not revealed). */
  async requireMember(communityId: string, userId: string | null): Promise<{ loaded: LoadedCommunity; member: MemberFacts; userId: string }> {
    if (!userId) throw unauthenticated();
    const [loaded, member] = isUuid(communityId)
      ? await Promise.all([this.community(communityId), this.member(communityId, userId)])
      : [null, null];
    if (!loaded || !member) throw notFound('Community', communityId);
    return { loaded, member, userId };
  }

  /** Throws FORBIDDEN unless the viewer has `permission` community-wide. */
  async require(communityId: string, userId: string | null, permission: Permission): Promise<{ loaded: LoadedCommunity; member: MemberFacts; userId: string }> {
    const ctx = await this.requireMember(communityId, userId);
    if ((basePermissions(ctx.member, ctx.loaded.facts) & P[permission]) === 0n) {
      throw forbidden(`You need the ${permission} permission in this community.`);
    }
    return ctx;
  }

  /** Throws FORBIDDEN unless the viewer has `permission` in the channel (NOT_FOUND when they cannot see it). */
  async requireInChannel(channel: Channel, userId: string | null, permission: Permission): Promise<bigint> {
    if (!userId) throw unauthenticated();
    const bits = await this.inChannel(channel, userId);
    if ((bits & P.VIEW_CHANNEL) === 0n) throw notFound('Channel', channel.id);
    if ((bits & P[permission]) === 0n) throw forbidden(`You need the ${permission} permission in this channel.`);
    return bits;
  }

  /** Rank of a member in the hierarchy: the owner above everything, else their highest role's position. */
  highestPosition(loaded: LoadedCommunity, member: MemberFacts): number {
    if (member.isOwner) return Number.POSITIVE_INFINITY;
    let top = 0;
    for (const id of member.roleIds) top = Math.max(top, loaded.roles.find((r) => r.id === id)?.position ?? 0);
    return top;
  }

  /** Forgets what was loaded for a community (after changing it in this request). */
  forget(communityId: string): void {
    this.#communities.delete(communityId);
    for (const key of this.#members.keys()) if (key.startsWith(`${communityId}:`)) this.#members.delete(key);
    this.#overwrites.clear();
  }

  async #loadCommunity(communityId: string): Promise<LoadedCommunity | null> {
    if (!isUuid(communityId)) return null;
    const [community, roles] = await Promise.all([
      this.#em.findOne(Community, { id: communityId }),
      this.#em.find(Role, { community: communityId }, { orderBy: { position: 'desc', id: 'asc' } }),
    ]);
    if (!community) return null;
    const everyone = roles.find((r) => r.id === communityId);
    return {
      community,
      roles,
      facts: {
        everyone: { id: communityId, permissions: everyone?.permissions ?? 0n },
        roles: new Map(roles.filter((r) => r.id !== communityId).map((r) => [r.id, { id: r.id, permissions: r.permissions }])),
      },
    };
  }

  async #loadMember(communityId: string, userId: string): Promise<MemberFacts | null> {
    return (await this.#loadMembers(communityId, [userId])).get(userId) ?? null;
  }

  /** The members among `userIds` (ids that are not UUIDs are nobody), by user id. */
  async #loadMembers(communityId: string, userIds: readonly string[]): Promise<Map<string, MemberFacts>> {
    const ids = userIds.filter(isUuid);
    const facts = new Map<string, MemberFacts>();
    if (!isUuid(communityId) || ids.length === 0) return facts;
    const user = ids.length === 1 ? ids[0]! : { $in: ids };
    const [members, roles, community] = await Promise.all([
      this.#em.find(Member, { community: communityId, user }),
      this.#em.find(MemberRole, { community: communityId, user }),
      this.community(communityId),
    ]);
    if (!community) return facts;
    const roleIds = new Map<string, string[]>();
    for (const r of roles) {
      const list = roleIds.get(r.user.id);
      if (list) list.push(r.role.id);
      else roleIds.set(r.user.id, [r.role.id]);
    }
    for (const member of members) {
      const userId = member.user.id;
      facts.set(userId, { userId, isOwner: community.community.owner.id === userId, roleIds: roleIds.get(userId) ?? [], timedOutUntil: member.timedOutUntil ?? null });
    }
    return facts;
  }

}
