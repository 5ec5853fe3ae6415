/**
 * Relay cursor connections with keyset pagination: a cursor encodes the sort key of a
 * row (a time-ordered id, a position in a channel...), so "the page after X" is one
 * indexed range scan, however deep the page.
 */
import { badInput } from '../errors.ts';

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface Page<K> {
  /** Rows to fetch: one more than the page size, to learn whether another page exists. */
  limit: number;
  size: number;
  after: K | undefined;
  before: K | undefined;
  /** `backward` when paging with `last`: fetch in descending key order, then reverse. */
  direction: 'forward' | 'backward';
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

export const MAX_PAGE_SIZE = 100;

/** How a connection's sort key is written into a cursor and read back. */
export interface CursorCodec<K> {
  kind: string;
  encode(key: K): string;
  /** Returns `undefined` for a malformed key. */
  decode(raw: string): K | undefined;
}

export function encodeCursor<K>(codec: CursorCodec<K>, key: K): string {
  return Buffer.from(`${codec.kind}:${codec.encode(key)}`).toString('base64url');
}

export function decodeCursor<K>(codec: CursorCodec<K>, cursor: string): K {
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  const prefix = `${codec.kind}:`;
  const key = raw.startsWith(prefix) ? codec.decode(raw.slice(prefix.length)) : undefined;
  if (key === undefined) throw badInput('The cursor is not valid for this list.', 'cursor');
  return key;
}

/** Validates `first/after/last/before` and turns them into a keyset page. */
export function toPage<K>(codec: CursorCodec<K>, args: PageArgs, defaultSize = 20): Page<K> {
  if (args.first != null && args.last != null) throw badInput('Pass either `first` or `last`, not both.');
  const size = args.first ?? args.last ?? defaultSize;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw badInput(`Page size must be between 0 and ${MAX_PAGE_SIZE}.`, args.last != null ? 'last' : 'first');
  }
  return {
    limit: size + 1,
    size,
    after: args.after ? decodeCursor(codec, args.after) : undefined,
    before: args.before ? decodeCursor(codec, args.before) : undefined,
    direction: args.last != null ? 'backward' : 'forward',
  };
}

/** Builds the connection from rows fetched with `page.limit`, in the page's direction. */
export function toConnection<T, K>(rows: T[], page: Page<K>, codec: CursorCodec<K>, keyOf: (row: T) => K): Connection<T> {
  const hasMore = rows.length > page.size;
  const pageRows = rows.slice(0, page.size);
  if (page.direction === 'backward') pageRows.reverse();
  const edges = pageRows.map((node) => ({ cursor: encodeCursor(codec, keyOf(node)), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.direction === 'forward' ? hasMore : page.before !== undefined,
      hasPreviousPage: page.direction === 'backward' ? hasMore : page.after !== undefined,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/** An empty page, for lists the viewer may not see. */
export function emptyConnection<T>(): Connection<T> {
  return { edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } };
}

/** Keys that are UUIDv7 ids. */
export const idCursor: CursorCodec<string> = {
  kind: 'id',
  encode: (id) => id,
  decode: (raw) => (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(raw) ? raw : undefined),
};

/** Keys that are non-negative integer positions. */
export const positionCursor: CursorCodec<number> = {
  kind: 'pos',
  encode: (n) => String(n),
  decode: (raw) => (/^\d{1,15}$/.test(raw) ? Number(raw) : undefined),
};

/** Keys that are a time and a user id (join times, ban times...), for lists ordered by time then id. */
export function timeAndIdCursor(kind: string): CursorCodec<{ at: Date; id: string }> {
  return {
    kind,
    encode: (k) => `${k.at.toISOString()}|${k.id}`,
    decode: (raw) => {
      const [at, id] = raw.split('|');
      const date = new Date(at ?? '');
      return id && idCursor.decode(id) && !Number.isNaN(date.getTime()) ? { at: date, id } : undefined;
    },
  };
}

/** Keys that are offsets into a ranked result list (search). */
export const offsetCursor: CursorCodec<number> = { ...positionCursor, kind: 'off' };

/** The range filter and order on `field` for a keyset page, in MikroORM's query language. */
export function keysetWhere<K>(page: Page<K>): { range: { $gt?: K; $lt?: K } | undefined; order: 'asc' | 'desc' } {
  const range: { $gt?: K; $lt?: K } = {};
  if (page.after !== undefined) range.$gt = page.after;
  if (page.before !== undefined) range.$lt = page.before;
  return { range: Object.keys(range).length ? range : undefined, order: page.direction === 'forward' ? 'asc' : 'desc' };
}
