/** Follows between users. */
import type { EntityManager } from '../../../platform/db/orm.ts';
import type { InternalClient } from '../../../platform/subgraph/internal-client.ts';
import { badInput, notFound, unauthenticated } from '../../../platform/errors.ts';
import { isUuid, newId } from '../../../platform/ids.ts';
import { idCursor, toConnection, toPage, type Connection, type PageArgs } from '../../../platform/graphql/connection.ts';
import { Follow } from '../entities/index.ts';

const USER_EXISTS = /* GraphQL */ `query UserExists($id: ID!) { user(id: $id) { id } }`;

export class FollowService {
  readonly #internal: InternalClient;

  constructor(internal: InternalClient) {
    this.#internal = internal;
  }

  async follow(em: EntityManager, viewerId: string | null, userId: string): Promise<void> {
    if (!viewerId) throw unauthenticated();
    if (userId === viewerId) throw badInput('You cannot follow yourself.', 'userId');
    if (!isUuid(userId)) throw notFound('User', userId);
    const { user } = await this.#internal.query<{ user: { id: string } | null }>('community', USER_EXISTS, { id: userId });
    if (!user) throw notFound('User', userId);
    await em.getConnection().execute(
      `insert into social.follows (id, follower_id, followee_id, created_at) values (?, ?, ?, now())
       on conflict (follower_id, followee_id) do nothing`,
      [newId(), viewerId, userId],
    );
  }

  async unfollow(em: EntityManager, viewerId: string | null, userId: string): Promise<void> {
    if (!viewerId) throw unauthenticated();
    if (!isUuid(userId)) throw notFound('User', userId);
    await em.nativeDelete(Follow, { followerId: viewerId, followeeId: userId });
  }

  /** Followers (side `followers`) or followed users (side `following`) of `userId`, most recent first. */
  async page(em: EntityManager, userId: string, side: 'followers' | 'following', args: PageArgs): Promise<Connection<Follow>> {
    const page = toPage(idCursor, args);
    const where = side === 'followers' ? { followeeId: userId } : { followerId: userId };
    const rows = await em.find(
      Follow,
      { ...where, ...(page.after ? { id: { $lt: page.after } } : {}) },
      { orderBy: { id: 'desc' }, limit: page.limit },
    );
    return toConnection(rows, page, idCursor, (f) => f.id);
  }
}
