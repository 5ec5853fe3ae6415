import { defineEntity, p } from '@mikro-orm/core';

export const SEARCH_KINDS = ['USER', 'TRACK'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

/**
 * One searchable thing, kept up to date from other subgraphs' events. `id` is the id of
 * the user or track it describes. `tsv` is computed by PostgreSQL from `title` (weight A)
 * and `body` (weight B) with the language-neutral `simple` configuration, since users
 * write in every language.
 */
export const SearchDocumentSchema = defineEntity({
  name: 'SearchDocument',
  tableName: 'search_documents',
  properties: {
    id: p.uuid().primary(),
    kind: p.enum(SEARCH_KINDS).nativeEnumName('search_kind'),
    title: p.text(),
    body: p.text().nullable(),
    tsv: p
      .type('tsvector')
      .generated("(setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', coalesce(body, '')), 'B')) stored")
      .lazy()
      .nullable(),
    updatedAt: p.datetime(),
  },
  indexes: [{ name: 'search_documents_tsv_index', properties: ['tsv'], type: 'gin' }],
});
export class SearchDocument extends SearchDocumentSchema.class {}
SearchDocumentSchema.setClass(SearchDocument);
