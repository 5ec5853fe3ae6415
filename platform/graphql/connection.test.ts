import { describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { decodeCursor, encodeCursor, idCursor, positionCursor, toConnection, toPage } from './connection.ts';

describe('cursor connections', () => {
  it('round-trips cursors and refuses cursors of another list', () => {
    const c = encodeCursor(positionCursor, 42);
    expect(decodeCursor(positionCursor, c)).toBe(42);
    expect(() => decodeCursor(idCursor, c)).toThrow(GraphQLError);
    expect(() => decodeCursor(positionCursor, 'bm9wZQ')).toThrow(/cursor is not valid/);
  });

  it('bounds page sizes and refuses first with last', () => {
    expect(toPage(positionCursor, {}, 50).size).toBe(50);
    expect(() => toPage(positionCursor, { first: 101 })).toThrow(/between 0 and 100/);
    expect(() => toPage(positionCursor, { first: -1 })).toThrow();
    expect(() => toPage(positionCursor, { first: 1, last: 1 })).toThrow(/either/);
  });

  it('reports more pages from the extra row, in both directions', () => {
    const rows = [1, 2, 3].map((n) => ({ n }));
    const forward = toConnection(rows, toPage(positionCursor, { first: 2 }), positionCursor, (r) => r.n);
    expect(forward.edges.map((e) => e.node.n)).toEqual([1, 2]);
    expect(forward.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const backward = toConnection([...rows].reverse(), toPage(positionCursor, { last: 2 }), positionCursor, (r) => r.n);
    expect(backward.edges.map((e) => e.node.n)).toEqual([2, 3]);
    expect(backward.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });
});
