/** Channels and their permission overwrites. */
import type { EntityManager } from '../../../platform/db/orm.ts';
import { badInput, notFound, unauthenticated, forbidden } from '../../../platform/errors.ts';
import { isUuid } from '../../../platform/ids.ts';
import { Channel, ChannelOverwrite, Member, Role, type ChannelKind } from '../entities/index.ts';
import { channelPermissions, isChannelPermissionSet, type CommunityFacts, type MemberFacts, type Overwrite } from '../permissions/compute.ts';
import { P, toBits, toNames, type Permission } from '../permissions/flags.ts';
import { recordAudit } from './audit.ts';
import type { Authorizer } from './authorization.ts';
import type { ChangeFeed } from './changes.ts';

export interface ChannelAccess {
  channelId: string;
  userId: string;
  communityId: string | null;
  canView: boolean;
  canSend: boolean;
  permissions: Permission[];
  slowModeSeconds: number;
}

const MAX_SLOW_MODE_SECONDS = 6 * 3600;
const MAX_CHANNELS = 500;
/** Channel and user pairs one `channelAccesses` call may ask about. */
export const MAX_ACCESS_CHECKS = 500;

function checkChannelName(raw: string): string {
  const name = raw.trim().toLowerCase().replace(/\s+/g, '-');
  if (name.length < 1 || name.length > 100) throw badInput('A channel name is 1 to 100 characters.', 'name');
  return name;
}

function checkTopic(raw: string): string | null {
  const topic = raw.trim();
  if (topic.length > 1024) throw badInput('A channel topic is at most 1,024 characters.', 'topic');
  return topic || null;
}

function snapshot(c: Channel): Record<string, unknown> {
  return { name: c.name, type: c.type, topic: c.topic, position: c.position, parentId: c.parentId, permissionsSynced: c.permissionsSynced, slowModeSeconds: c.slowModeSeconds };
}

/**
 * Which channels a permission change on `channel` concerns, for the announcement: a
 * category's overwrites also rule the channels synced with it (and deleting it changes
 * theirs), so a change there is announced for the whole community.
 */
function changeScope(channel: Channel): { channelId?: string } {
  return channel.type === 'CATEGORY' ? {} : { channelId: channel.id };
}

export class ChannelService {
  readonly #changes: ChangeFeed;

  constructor(changes: ChangeFeed) {
    this.#changes = changes;
  }

  async find(em: EntityManager, channelId: string): Promise<Channel | null> {
    return isUuid(channelId) ? em.findOne(Channel, { id: channelId }) : null;
  }

  /** The channel, when the viewer can see it; `null` otherwise. */
  async visible(em: EntityManager, auth: Authorizer, viewerId: string | null, channelId: string): Promise<Channel | null> {
    if (!viewerId) return null;
    const channel = await this.find(em, channelId);
    if (!channel) return null;
    return ((await auth.inChannel(channel, viewerId)) & P.VIEW_CHANNEL) !== 0n ? channel : null;
  }

  async access(em: EntityManager, auth: Authorizer, channelId: string, userId: string): Promise<ChannelAccess> {
    const channel = isUuid(userId) ? await this.find(em, channelId) : null;
    return this.#accessIn(auth, channel, channelId, userId);
  }

  /**
   * `access` for many channel and user pairs, answered in the order asked, in one SQL
   * statement whatever the number of pairs: chat asks this before every message it
   * accepts and for every viewer of a live subscription, so it is the hottest path of this
   * service. The statement gathers the facts (channels, their communities' owners and
   * roles, the overwrites that apply, each pair's membership and roles) and the permission
   * rules of permissions/compute.ts apply to them, exactly as for `access`.
   */
  async accessMany(em: EntityManager, checks: readonly { channelId: string; userId: string }[]): Promise<ChannelAccess[]> {
    if (checks.length > MAX_ACCESS_CHECKS) throw badInput(`At most ${MAX_ACCESS_CHECKS} pairs are checked per call.`, 'checks');
    const asked = checks.filter((c) => isUuid(c.userId) && isUuid(c.channelId));
    const facts = asked.length
      ? await loadAccessFacts(em, asked)
      : { channels: new Map<string, AccessChannel>(), members: new Map<string, MemberFacts>(), communities: new Map<string, CommunityFacts>(), overwrites: new Map<string, Overwrite[]>() };
    return checks.map((c) => {
      const channel = isUuid(c.userId) ? facts.channels.get(c.channelId) : undefined;
      if (!channel) return noAccess(c.channelId, c.userId);
      const member = facts.members.get(`${channel.communityId}:${c.userId}`);
      const community = facts.communities.get(channel.communityId);
      const bits = member && community ? channelPermissions(member, community, { overwrites: facts.overwrites.get(channel.sourceId) ?? [] }) : 0n;
      return accessOf(c.channelId, c.userId, channel, bits);
    });
  }

  async #accessIn(auth: Authorizer, channel: Channel | null, channelId: string, userId: string): Promise<ChannelAccess> {
    if (!channel) return noAccess(channelId, userId);
    return accessOf(channelId, userId, { communityId: channel.community.id, type: channel.type, slowModeSeconds: channel.slowModeSeconds }, await auth.inChannel(channel, userId));
  }



  async create(
    em: EntityManager,
    auth: Authorizer,
    viewerId: string | null,
    input: { communityId: string; name: string; type: ChannelKind; topic?: string | null; parentId?: string | null; permissionsSynced?: boolean | null },
  ): Promise<Channel> {
    const { userId } = await auth.require(input.communityId, viewerId, 'MANAGE_CHANNELS');
    const name = checkChannelName(input.name);
    const topic = input.topic != null ? checkTopic(input.topic) : null;
    let parentId: string | null = null;
    if (input.parentId) {
      const parent = await this.find(em, input.parentId);
      if (!parent || parent.community.id !== input.communityId || parent.type !== 'CATEGORY') throw badInput('The parent must be a category of the same community.', 'parentId');
      if (input.type === 'CATEGORY') throw badInput('A category cannot sit in another category.', 'parentId');
      parentId = parent.id;
    }
    if ((await em.count(Channel, { community: input.communityId })) >= MAX_CHANNELS) throw badInput(`A community has at most ${MAX_CHANNELS} channels.`);
    const last = await em.findOne(Channel, { community: input.communityId }, { orderBy: { position: 'desc' }, fields: ['position'] });
    return em.transactional(async (tx) => {
      const channel = tx.create(Channel, {
        community: input.communityId, name, type: input.type, topic, position: (last?.position ?? -1) + 1, parentId,
        permissionsSynced: parentId !== null && (input.permissionsSynced ?? true), slowModeSeconds: 0,
      });
      recordAudit(tx, { communityId: input.communityId, actorId: userId, action: 'CHANNEL_CREATE', targetType: 'CHANNEL', targetId: channel.id, after: snapshot(channel) });
      return channel;
    });
  }

  async update(
    em: EntityManager,
    auth: Authorizer,
    viewerId: string | null,
    input: { channelId: string; name?: string | null; topic?: string | null; position?: number | null; slowModeSeconds?: number | null; permissionsSynced?: boolean | null },
  ): Promise<Channel> {
    const channel = await this.#manageable(em, auth, viewerId, input.channelId, 'MANAGE_CHANNELS');
    const before = snapshot(channel);
    if (input.name != null) channel.name = checkChannelName(input.name);
    if (input.topic != null) channel.topic = checkTopic(input.topic);
    if (input.position != null) {
      if (!Number.isInteger(input.position) || input.position < 0 || input.position > 10_000) throw badInput('A position is 0 to 10,000.', 'position');
      channel.position = input.position;
    }
    if (input.slowModeSeconds != null) {
      if (!Number.isInteger(input.slowModeSeconds) || input.slowModeSeconds < 0 || input.slowModeSeconds > MAX_SLOW_MODE_SECONDS) {
        throw badInput(`Slow mode is 0 to ${MAX_SLOW_MODE_SECONDS} seconds.`, 'slowModeSeconds');
      }
      channel.slowModeSeconds = input.slowModeSeconds;
    }
    const syncChanged = input.permissionsSynced != null && input.permissionsSynced !== channel.permissionsSynced;
    if (input.permissionsSynced != null) {
      if (input.permissionsSynced && !channel.parentId) throw badInput('Only a channel in a category can sync with it.', 'permissionsSynced');
      channel.permissionsSynced = input.permissionsSynced;
    }
    await em.transactional(async (tx) => {
      tx.persist(channel);
      recordAudit(tx, { communityId: channel.community.id, actorId: viewerId!, action: 'CHANNEL_UPDATE', targetType: 'CHANNEL', targetId: channel.id, before, after: snapshot(channel) });
      if (syncChanged) this.#changes.permissionsChanged(tx, channel.community.id, 'channel sync changed', { channelId: channel.id });
    });
    auth.forget(channel.community.id);
    this.#changes.published();
    return channel;
  }

  async delete(em: EntityManager, auth: Authorizer, viewerId: string | null, channelId: string): Promise<boolean> {
    const channel = await this.#manageable(em, auth, viewerId, channelId, 'MANAGE_CHANNELS');
    const communityId = channel.community.id;
    await em.transactional(async (tx) => {
      // Channels in a deleted category stay, outside any category, with their own overwrites.
      await tx.nativeUpdate(Channel, { parentId: channel.id }, { parentId: null, permissionsSynced: false });
      await tx.nativeDelete(Channel, { id: channel.id });
      recordAudit(tx, { communityId, actorId: viewerId!, action: 'CHANNEL_DELETE', targetType: 'CHANNEL', targetId: channel.id, before: snapshot(channel) });
      this.#changes.permissionsChanged(tx, communityId, 'channel deleted', changeScope(channel));
    });
    this.#changes.published();
    return true;
  }

  async setOverwrite(
    em: EntityManager,
    auth: Authorizer,
    viewerId: string | null,
    input: { channelId: string; targetType: 'ROLE' | 'MEMBER'; targetId: string; allow: Permission[]; deny: Permission[] },
  ): Promise<Channel> {
    const channel = await this.#manageable(em, auth, viewerId, input.channelId, 'MANAGE_ROLES');
    const allow = toBits(input.allow);
    const deny = toBits(input.deny);
    if ((allow & deny) !== 0n) throw badInput('A permission cannot be both allowed and denied.', 'allow');
    if (!isChannelPermissionSet(allow | deny)) throw badInput('Only channel permissions can be overwritten in a channel.', 'allow');
    const communityId = channel.community.id;
    await this.#checkTarget(em, communityId, input.targetType, input.targetId);
    // You cannot grant or withdraw in a channel what you do not have there yourself (unless administrator).
    const own = await auth.inChannel(channel, viewerId);
    if (((allow | deny) & ~own) !== 0n) throw forbidden('You can only overwrite permissions you have in this channel.');
    const existing = await em.findOne(ChannelOverwrite, { channel: channel.id, targetType: input.targetType, targetId: input.targetId });
    const before = existing ? { allow: toNames(existing.allow), deny: toNames(existing.deny) } : null;
    await em.transactional(async (tx) => {
      await tx.upsert(ChannelOverwrite, { channel: channel.id, targetType: input.targetType, targetId: input.targetId, allow, deny });
      // An overwrite set directly on a synced channel ends the sync, as in Discord.
      if (channel.permissionsSynced) {
        channel.permissionsSynced = false;
        tx.persist(channel);
      }
      recordAudit(tx, {
        communityId, actorId: viewerId!, action: 'OVERWRITE_SET', targetType: 'CHANNEL', targetId: channel.id,
        before: before ? { targetType: input.targetType, targetId: input.targetId, ...before } : null,
        after: { targetType: input.targetType, targetId: input.targetId, allow: toNames(allow), deny: toNames(deny) },
      });
      this.#changes.permissionsChanged(tx, communityId, 'overwrite set', changeScope(channel));
    });
    auth.forget(communityId);
    this.#changes.published();
    return channel;
  }

  async deleteOverwrite(em: EntityManager, auth: Authorizer, viewerId: string | null, channelId: string, targetType: 'ROLE' | 'MEMBER', targetId: string): Promise<Channel> {
    const channel = await this.#manageable(em, auth, viewerId, channelId, 'MANAGE_ROLES');
    const existing = isUuid(targetId) ? await em.findOne(ChannelOverwrite, { channel: channel.id, targetType, targetId }) : null;
    if (!existing) throw notFound('Overwrite');
    await em.transactional(async (tx) => {
      await tx.nativeDelete(ChannelOverwrite, { channel: channel.id, targetType, targetId });
      recordAudit(tx, { communityId: channel.community.id, actorId: viewerId!, action: 'OVERWRITE_DELETE', targetType: 'CHANNEL', targetId: channel.id, before: { targetType, targetId, allow: toNames(existing.allow), deny: toNames(existing.deny) } });
      this.#changes.permissionsChanged(tx, channel.community.id, 'overwrite deleted', changeScope(channel));
    });
    auth.forget(channel.community.id);
    this.#changes.published();
    return channel;
  }

  async #manageable(em: EntityManager, auth: Authorizer, viewerId: string | null, channelId: string, permission: Permission): Promise<Channel> {
    if (!viewerId) throw unauthenticated();
    const channel = await this.find(em, channelId);
    if (!channel) throw notFound('Channel', channelId);
    await auth.requireInChannel(channel, viewerId, permission);
    return channel;
  }

  async #checkTarget(em: EntityManager, communityId: string, targetType: 'ROLE' | 'MEMBER', targetId: string): Promise<void> {
    if (!isUuid(targetId)) throw badInput('The target is not a role or member of this community.', 'targetId');
    const found = targetType === 'ROLE'
      ? await em.count(Role, { id: targetId, community: communityId })
      : await em.count(Member, { community: communityId, user: targetId });
    if (found === 0) throw badInput('The target is not a role or member of this community.', 'targetId');
  }
}

function noAccess(channelId: string, userId: string): ChannelAccess {
  return { channelId, userId, communityId: null, canView: false, canSend: false, permissions: [], slowModeSeconds: 0 };
}

/** A pair's answer from the user's permission bits in the channel. */
function accessOf(channelId: string, userId: string, channel: { communityId: string; type: ChannelKind; slowModeSeconds: number }, bits: bigint): ChannelAccess {
  const writable = channel.type === 'TEXT' || channel.type === 'ANNOUNCEMENT';
  return {
    channelId,
    userId,
    communityId: channel.communityId,
    canView: (bits & P.VIEW_CHANNEL) !== 0n,
    canSend: writable && (bits & P.SEND_MESSAGES) !== 0n,
    permissions: toNames(bits),
    slowModeSeconds: channel.slowModeSeconds,
  };
}

/** A channel as `accessMany` needs it; `sourceId` is where its overwrites come from. */
interface AccessChannel {
  communityId: string;
  type: ChannelKind;
  slowModeSeconds: number;
  sourceId: string;
}

interface AccessFactsRow {
  channels: { id: string; community_id: string; type: ChannelKind; slow_mode_seconds: number; source_id: string }[] | null;
  communities: { id: string; owner_id: string }[] | null;
  /** Bigints as text: permission bits pass 2^53. */
  roles: { id: string; community_id: string; permissions: string }[] | null;
  overwrites: { channel_id: string; target_type: 'ROLE' | 'MEMBER'; target_id: string; allow: string; deny: string }[] | null;
  members: { community_id: string; user_id: string; timed_out_until: string | null; role_ids: string[] }[] | null;
}

/**
 * The facts `accessMany` needs about the pairs asked, in one statement (one row of JSON).
 * A channel synced with its category takes the category's overwrites, as in
 * `Authorizer.overwritesFor`.
 */
const ACCESS_FACTS_SQL = `
  with asked as (
    select distinct a.channel_id, a.user_id
    from json_to_recordset(?::json) as a(channel_id uuid, user_id uuid)
  ),
  ch as (
    select c.id, c.community_id, c.type, c.slow_mode_seconds,
      case when c.permissions_synced and c.parent_id is not null then c.parent_id else c.id end as source_id
    from community.channels c
    where c.id in (select channel_id from asked)
  )
  select
    (select json_agg(ch) from ch) as channels,
    (select json_agg(json_build_object('id', co.id, 'owner_id', co.owner_id))
      from community.communities co where co.id in (select community_id from ch)) as communities,
    (select json_agg(json_build_object('id', r.id, 'community_id', r.community_id, 'permissions', r.permissions::text))
      from community.roles r where r.community_id in (select community_id from ch)) as roles,
    (select json_agg(json_build_object('channel_id', o.channel_id, 'target_type', o.target_type, 'target_id', o.target_id, 'allow', o.allow::text, 'deny', o.deny::text))
      from community.channel_overwrites o where o.channel_id in (select source_id from ch)) as overwrites,
    (select json_agg(json_build_object('community_id', m.community_id, 'user_id', m.user_id, 'timed_out_until', m.timed_out_until,
        'role_ids', coalesce((select array_agg(mr.role_id) from community.member_roles mr where mr.community_id = m.community_id and mr.user_id = m.user_id), '{}')))
      from community.members m
      where (m.community_id, m.user_id) in (select distinct ch.community_id, asked.user_id from asked join ch on ch.id = asked.channel_id)) as members`;

async function loadAccessFacts(em: EntityManager, pairs: readonly { channelId: string; userId: string }[]) {
  const asked = JSON.stringify(pairs.map((p) => ({ channel_id: p.channelId, user_id: p.userId })));
  const [row] = await em.getConnection().execute<AccessFactsRow[]>(ACCESS_FACTS_SQL, [asked]);
  const channels = new Map<string, AccessChannel>();
  for (const c of row?.channels ?? []) channels.set(c.id, { communityId: c.community_id, type: c.type, slowModeSeconds: c.slow_mode_seconds, sourceId: c.source_id });
  const owners = new Map((row?.communities ?? []).map((c) => [c.id, c.owner_id]));
  const communities = new Map<string, CommunityFacts>();
  for (const [id] of owners) communities.set(id, { everyone: { id, permissions: 0n }, roles: new Map() });
  for (const r of row?.roles ?? []) {
    const community = communities.get(r.community_id);
    if (!community) continue;
    const role = { id: r.id, permissions: BigInt(r.permissions) };
    // The @everyone role's id is the community's.
    if (r.id === r.community_id) communities.set(r.community_id, { ...community, everyone: role });
    else (community.roles as Map<string, { id: string; permissions: bigint }>).set(r.id, role);
  }
  const overwrites = new Map<string, Overwrite[]>();
  for (const o of row?.overwrites ?? []) {
    const list = overwrites.get(o.channel_id) ?? [];
    list.push({ targetType: o.target_type, targetId: o.target_id, allow: BigInt(o.allow), deny: BigInt(o.deny) });
    overwrites.set(o.channel_id, list);
  }
  const members = new Map<string, MemberFacts>();
  for (const m of row?.members ?? []) {
    members.set(`${m.community_id}:${m.user_id}`, {
      userId: m.user_id,
      isOwner: owners.get(m.community_id) === m.user_id,
      roleIds: m.role_ids,
      timedOutUntil: m.timed_out_until ? new Date(m.timed_out_until) : null,
    });
  }
  return { channels, members, communities, overwrites };
}
