/**
 * Events this subgraph publishes, written to its outbox inside the transaction of the
 * change (so a rolled-back change announces nothing and a crash loses nothing); call
 * `published()` after the commit to have the relay send them at once.
 */
import type { EntityManager } from '../../../platform/db/orm.ts';
import type { EventTopics } from '../../../platform/events/bus.ts';
import { addToOutbox } from '../../../platform/events/outbox.ts';
import { permissionsChangedTrigger } from '../../../platform/events/live-triggers.ts';

export class ChangeFeed {
  readonly #kick: () => void;
  readonly #permissionsTrigger: string;

  /** `prefix` is the deployment's Redis prefix, which live triggers carry. */
  constructor(kick: () => void, prefix: string) {
    this.#kick = kick;
    this.#permissionsTrigger = permissionsChangedTrigger(prefix);
  }

  /**
   * Who may do what changed in `communityId` (narrowed to a user or channel when given).
   * Also a live trigger: every replica's live subscriptions re-check their viewer's access.
   */
  permissionsChanged(tx: EntityManager, communityId: string, reason: string, scope: { userId?: string; channelId?: string } = {}): void {
    const payload: EventTopics['community.permissions.changed'] = { communityId, userId: scope.userId ?? null, channelId: scope.channelId ?? null, reason };
    addToOutbox(tx, [{ topic: 'community.permissions.changed', trigger: this.#permissionsTrigger, payload }]);
  }

  memberRemoved(tx: EntityManager, payload: EventTopics['community.member.removed']): void {
    addToOutbox(tx, [{ topic: 'community.member.removed', payload }]);
    this.permissionsChanged(tx, payload.communityId, `member ${payload.reason.toLowerCase()}`, { userId: payload.userId });
  }

  communityDeleted(tx: EntityManager, communityId: string): void {
    addToOutbox(tx, [{ topic: 'community.deleted', payload: { communityId } }]);
    this.permissionsChanged(tx, communityId, 'community deleted');
  }

  userCreated(tx: EntityManager, payload: EventTopics['community.user.created']): void {
    addToOutbox(tx, [{ topic: 'community.user.created', payload }]);
  }

  userUpdated(tx: EntityManager, payload: EventTopics['community.user.updated']): void {
    addToOutbox(tx, [{ topic: 'community.user.updated', payload }]);
  }

  /** After a commit that added events: send them now rather than at the next poll. */
  published(): void {
    this.#kick();
  }
}
