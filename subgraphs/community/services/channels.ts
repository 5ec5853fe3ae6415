/** Channels and their permission overwrites. */
import type { EntityManager } from '../../../platform/db/orm.ts';
import { badInput, notFound, unauthenticated, forbidden } from '../../../platform/errors.ts';
import { isUuid } from '../../../platform/ids.ts';
import { Channel, ChannelOverwrite, Member, Role, type ChannelKind } from '../entities/index.ts';
import { isChannelPermissionSet } from '../permissions/compute.ts';
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
   * `access` for many channel and user pairs, answered in the order asked: the channels in
   * one query, each community's members in two, whatever the number of pairs.
   */
  async accessMany(em: EntityManager, auth: Authorizer, checks: readonly { channelId: string; userId: string }[]): Promise<ChannelAccess[]> {
    if (checks.length > MAX_ACCESS_CHECKS) throw badInput(`At most ${MAX_ACCESS_CHECKS} pairs are checked per call.`, 'checks');
    const channelIds = [...new Set(checks.filter((c) => isUuid(c.userId) && isUuid(c.channelId)).map((c) => c.channelId))];
    const channels = new Map((channelIds.length ? await em.find(Channel, { id: { $in: channelIds } }) : []).map((c) => [c.id, c]));
    const usersByCommunity = new Map<string, string[]>();
    for (const c of checks) {
      const communityId = channels.get(c.channelId)?.community.id;
      if (communityId === undefined) continue;
      const users = usersByCommunity.get(communityId);
      if (users) users.push(c.userId);
      else usersByCommunity.set(communityId, [c.userId]);
    }
    await Promise.all([...usersByCommunity].map(([communityId, users]) => auth.preloadMembers(communityId, users)));
    return Promise.all(checks.map((c) => this.#accessIn(auth, isUuid(c.userId) ? (channels.get(c.channelId) ?? null) : null, c.channelId, c.userId)));
  }

  async #accessIn(auth: Authorizer, channel: Channel | null, channelId: string, userId: string): Promise<ChannelAccess> {
    if (!channel) return { channelId, userId, communityId: null, canView: false, canSend: false, permissions: [], slowModeSeconds: 0 };
    const bits = await auth.inChannel(channel, userId);
    const writable = channel.type === 'TEXT' || channel.type === 'ANNOUNCEMENT';
    return {
      channelId,
      userId,
      communityId: channel.community.id,
      canView: (bits & P.VIEW_CHANNEL) !== 0n,
      canSend: writable && (bits & P.SEND_MESSAGES) !== 0n,
      permissions: toNames(bits),
      slowModeSeconds: channel.slowModeSeconds,
    };
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
