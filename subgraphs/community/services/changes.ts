/** Events this subgraph publishes after a change has committed. */
import type { EventBus, EventTopics } from '../../../platform/events/bus.ts';

export class ChangeFeed {
  readonly #bus: EventBus;

  constructor(bus: EventBus) {
    this.#bus = bus;
  }

  /** Who may do what changed in `communityId` (narrowed to a user or channel when given). */
  async permissionsChanged(communityId: string, reason: string, scope: { userId?: string; channelId?: string } = {}): Promise<void> {
    await this.#bus.publish('community.permissions.changed', {
      communityId,
      userId: scope.userId ?? null,
      channelId: scope.channelId ?? null,
      reason,
    } satisfies EventTopics['community.permissions.changed']);
  }

  async memberRemoved(payload: EventTopics['community.member.removed']): Promise<void> {
    await this.#bus.publish('community.member.removed', payload);
    await this.permissionsChanged(payload.communityId, `member ${payload.reason.toLowerCase()}`, { userId: payload.userId });
  }

  async communityDeleted(communityId: string): Promise<void> {
    await this.#bus.publish('community.deleted', { communityId });
    await this.permissionsChanged(communityId, 'community deleted');
  }
}
