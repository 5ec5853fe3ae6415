/**
 * Communities, their members and channels, and the answer to "what may user U do in
 * channel C". Until roles and overwrites land, a member may view and send in every
 * channel of their community, and only the owner changes the community.
 */
import type { EntityManager } from '../../../platform/db/orm.ts';
import { badInput, forbidden, notFound, unauthenticated } from '../../../platform/errors.ts';
import { isUuid } from '../../../platform/ids.ts';
import { Channel, Community, Member, type ChannelKind } from '../entities/index.ts';

export interface ChannelAccess {
  channelId: string;
  userId: string;
  canView: boolean;
  canSend: boolean;
}

export class CommunityService {
  async create(em: EntityManager, viewerId: string | null, input: { name: string }): Promise<Community> {
    const ownerId = requireViewer(viewerId);
    const name = input.name.trim();
    if (name.length < 2 || name.length > 100) throw badInput('A community name is 2 to 100 characters.', 'name');
    return em.transactional(async (tx) => {
      const community = tx.create(Community, { name, owner: ownerId });
      tx.create(Member, { community, user: ownerId });
      tx.create(Channel, { community, name: 'general', type: 'TEXT', position: 0, topic: null });
      return community;
    });
  }

  async createChannel(
    em: EntityManager,
    viewerId: string | null,
    input: { communityId: string; name: string; type: ChannelKind; topic?: string | null },
  ): Promise<Channel> {
    const userId = requireViewer(viewerId);
    const community = await this.findVisible(em, userId, input.communityId);
    if (!community) throw notFound('Community', input.communityId);
    if (community.owner.id !== userId) throw forbidden('Only the owner can add channels to this community.');
    const name = input.name.trim().toLowerCase().replace(/\s+/g, '-');
    if (name.length < 1 || name.length > 100) throw badInput('A channel name is 1 to 100 characters.', 'name');
    const topic = input.topic?.trim() || null;
    if (topic && topic.length > 1024) throw badInput('A channel topic is at most 1024 characters.', 'topic');
    const last = await em.findOne(Channel, { community }, { orderBy: { position: 'desc' }, fields: ['position'] });
    const channel = em.create(Channel, { community, name, type: input.type, topic, position: (last?.position ?? -1) + 1 });
    await em.flush();
    return channel;
  }

  /** The community when the user is a member of it, else `null` (existence is not revealed). */
  async findVisible(em: EntityManager, userId: string | null, communityId: string): Promise<Community | null> {
    if (!userId || !isUuid(communityId)) return null;
    const member = await em.findOne(Member, { community: communityId, user: userId }, { populate: ['community'] });
    return member ? member.community.getEntity() : null;
  }

  async isMember(em: EntityManager, communityId: string, userId: string | null): Promise<boolean> {
    if (!userId) return false;
    return (await em.count(Member, { community: communityId, user: userId })) > 0;
  }

  async listForUser(em: EntityManager, userId: string | null): Promise<Community[]> {
    if (!userId) return [];
    const members = await em.find(Member, { user: userId }, { populate: ['community'], orderBy: { community: { id: 'asc' } } });
    return members.map((m) => m.community.getEntity());
  }

  async channelAccess(em: EntityManager, channelId: string, userId: string): Promise<ChannelAccess> {
    const none = { channelId, userId, canView: false, canSend: false };
    if (!isUuid(channelId) || !isUuid(userId)) return none;
    const channel = await em.findOne(Channel, { id: channelId }, { fields: ['community', 'type'] });
    if (!channel) return none;
    const member = await em.count(Member, { community: channel.community, user: userId });
    const canView = member > 0;
    return { channelId, userId, canView, canSend: canView && channel.type !== 'CATEGORY' && channel.type !== 'VOICE' };
  }

  async visibleChannel(em: EntityManager, userId: string | null, channelId: string): Promise<Channel | null> {
    if (!userId) return null;
    const access = await this.channelAccess(em, channelId, userId);
    return access.canView ? em.findOne(Channel, { id: channelId }) : null;
  }
}

function requireViewer(viewerId: string | null): string {
  if (!viewerId) throw unauthenticated();
  return viewerId;
}
