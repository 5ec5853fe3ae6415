/**
 * Message search within a community (or one of its channels), over the channels the
 * viewer may read — the community subgraph says which — best match first, newer first
 * among equals.
 */
import type { EntityManager } from '../../../platform/db/orm.ts';
import type { InternalClient } from '../../../platform/subgraph/internal-client.ts';
import { badInput } from '../../../platform/errors.ts';
import { isUuid } from '../../../platform/ids.ts';
import { offsetCursor, toConnection, toPage, type Connection, type PageArgs } from '../../../platform/graphql/connection.ts';
import { toPrefixQuery } from '../../../platform/text-search.ts';
import { Message } from '../entities/index.ts';

const READABLE_CHANNELS = /* GraphQL */ `query ReadableChannels($id: ID!) { community(id: $id) { channels { id myPermissions } } }`;

export class MessageSearch {
  readonly #internal: InternalClient;

  constructor(internal: InternalClient) {
    this.#internal = internal;
  }

  async search(
    em: EntityManager,
    viewerId: string | null,
    input: { communityId: string; channelId?: string | null; query: string },
    args: PageArgs,
  ): Promise<Connection<Message>> {
    if (input.query.length > 200) throw badInput('A search is at most 200 characters.', 'query');
    if (args.last != null || args.before != null) throw badInput('Search pages forward only; use `first` and `after`.');
    const page = toPage(offsetCursor, args);
    const empty = toConnection<Message, number>([], page, offsetCursor, () => 0);
    const tsquery = toPrefixQuery(input.query);
    if (!tsquery || !viewerId || !isUuid(input.communityId)) return empty;
    const data = await this.#internal.query<{ community: { channels: { id: string; myPermissions: string[] }[] } | null }>(
      'community', READABLE_CHANNELS, { id: input.communityId }, viewerId,
    );
    let channels = (data.community?.channels ?? []).filter((c) => c.myPermissions.includes('READ_MESSAGE_HISTORY')).map((c) => c.id);
    if (input.channelId != null) channels = channels.filter((id) => id === input.channelId);
    if (channels.length === 0) return empty;
    const start = page.after === undefined ? 0 : page.after + 1;
    const rows = await em.getConnection().execute<{ id: string }[]>(
      `select id from chat.messages, to_tsquery('simple', ?) q
        where channel_id in (?) and tsv @@ q
        order by ts_rank_cd(tsv, q) desc, id desc
        limit ? offset ?`,
      [tsquery, channels, page.limit, start],
    );
    const byId = new Map((await em.find(Message, { id: { $in: rows.map((r) => r.id) } })).map((m) => [m.id, m]));
    const ordered = rows.map((r, i) => ({ message: byId.get(r.id), offset: start + i })).filter((r): r is { message: Message; offset: number } => r.message !== undefined);
    const connection = toConnection(ordered, page, offsetCursor, (r) => r.offset);
    return { pageInfo: connection.pageInfo, edges: connection.edges.map((e) => ({ cursor: e.cursor, node: e.node.message })) };
  }
}
