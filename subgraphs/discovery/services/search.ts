/**
 * Full-text search over users and public tracks, fed by events from the subgraphs that
 * own them (discovery never reads their tables). Words match as prefixes, so "ali" finds
 * "alice"; results are ranked by `ts_rank_cd`, titles weighing more than bodies.
 */
import type { EntityManager } from '../../../platform/db/orm.ts';
import { badInput } from '../../../platform/errors.ts';
import { offsetCursor, toConnection, toPage, type Connection, type PageArgs } from '../../../platform/graphql/connection.ts';
import type { DomainEvent, EventTopics } from '../../../platform/events/bus.ts';
import type { SearchKind } from '../entities/index.ts';
import { toPrefixQuery } from '../../../platform/text-search.ts';

export interface SearchHit {
  id: string;
  kind: SearchKind;
  score: number;
  offset: number;
}

const MAX_QUERY_LENGTH = 200;

export class SearchService {
  async search(em: EntityManager, query: string, kinds: readonly SearchKind[] | undefined, args: PageArgs): Promise<Connection<SearchHit>> {
    if (query.length > MAX_QUERY_LENGTH) throw badInput(`A search is at most ${MAX_QUERY_LENGTH} characters.`, 'query');
    if (args.last != null || args.before != null) throw badInput('Search pages forward only; use `first` and `after`.');
    const page = toPage(offsetCursor, args);
    const tsquery = toPrefixQuery(query);
    if (!tsquery) return toConnection([], page, offsetCursor, (h: SearchHit) => h.offset);
    const start = page.after === undefined ? 0 : page.after + 1;
    const rows = await em.getConnection().execute<{ id: string; kind: SearchKind; score: number }[]>(
      `select id, kind, ts_rank_cd(tsv, q) as score
         from discovery.search_documents, to_tsquery('simple', ?) q
        where tsv @@ q ${kinds?.length ? 'and kind in (?)' : ''}
        order by score desc, id
        limit ? offset ?`,
      kinds?.length ? [tsquery, [...kinds], page.limit, start] : [tsquery, page.limit, start],
    );
    const hits = rows.map((r, i) => ({ id: r.id, kind: r.kind, score: Number(r.score), offset: start + i }));
    return toConnection(hits, page, offsetCursor, (h) => h.offset);
  }

  /** Indexes (or re-indexes) a document; safe to run twice for the same event. */
  async upsert(em: EntityManager, doc: { id: string; kind: SearchKind; title: string; body: string | null; updatedAt: Date }): Promise<void> {
    await em.getConnection().execute(
      `insert into discovery.search_documents (id, kind, title, body, updated_at) values (?, ?, ?, ?, ?)
       on conflict (id) do update set title = excluded.title, body = excluded.body, updated_at = excluded.updated_at
       where discovery.search_documents.updated_at <= excluded.updated_at`,
      [doc.id, doc.kind, doc.title, doc.body, doc.updatedAt],
    );
  }

  async remove(em: EntityManager, id: string): Promise<void> {
    await em.getConnection().execute('delete from discovery.search_documents where id = ?', [id]);
  }

  onUserCreated(em: EntityManager, e: DomainEvent<EventTopics['community.user.created']>): Promise<void> {
    const p = e.payload;
    return this.upsert(em, { id: p.userId, kind: 'USER', title: `${p.handle} ${p.displayName}`, body: null, updatedAt: new Date(e.occurredAt) });
  }

  onTrackPublished(em: EntityManager, e: DomainEvent<EventTopics['media.track.published']>): Promise<void> {
    const p = e.payload;
    if (p.visibility !== 'PUBLIC') return this.remove(em, p.trackId);
    return this.upsert(em, { id: p.trackId, kind: 'TRACK', title: p.title, body: p.description, updatedAt: new Date(e.occurredAt) });
  }
}
