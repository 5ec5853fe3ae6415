/**
 * Entity fetches with each representation once. Apollo's executor sends one representation
 * per entity in the result, so fifty messages of one author ask the author's subgraph for
 * the same user fifty times, and every field below the author (their tracks, say) is
 * resolved fifty times too. Here the `_entities` fetch carries each distinct representation
 * once, and the answer is spread back over the positions the executor asked for: every
 * position gets its own copy of the entity, and an error about one representation is
 * reported at every position that asked for it.
 */
import type { GraphQLFormattedError } from 'graphql';

/** What an `_entities` fetch sends and gets, as far as this needs. */
interface EntitiesResponse {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLFormattedError[];
}

export interface Deduplicated {
  /** The variables to send: `representations` without repeats. */
  variables: Record<string, unknown>;
  /** The subgraph's answer turned into the answer to the original request. */
  expand: <R extends EntitiesResponse>(response: R) => R;
}

/**
 * `undefined` when there is nothing to gain (no `representations`, or no repeats);
 * otherwise the variables to send and how to read the answer back.
 */
export function dedupeRepresentations(variables: Record<string, unknown> | undefined): Deduplicated | undefined {
  const representations = variables?.['representations'];
  if (!Array.isArray(representations) || representations.length < 2) return undefined;
  const indexOf = new Map<string, number>();
  const unique: unknown[] = [];
  /** For each original position, the position of its representation in `unique`. */
  const slots = new Array<number>(representations.length);
  for (let i = 0; i < representations.length; i++) {
    const key = JSON.stringify(representations[i]);
    let slot = indexOf.get(key);
    if (slot === undefined) {
      slot = unique.length;
      indexOf.set(key, slot);
      unique.push(representations[i]);
    }
    slots[i] = slot;
  }
  if (unique.length === representations.length) return undefined;
  return {
    variables: { ...variables, representations: unique },
    expand: (response) => expand(response, slots),
  };
}

function expand<R extends EntitiesResponse>(response: R, slots: number[]): R {
  const answered = response.data?.['_entities'];
  let data = response.data;
  if (data && Array.isArray(answered)) {
    const entities: unknown[] = answered;
    // The first position keeps the object itself; the others get copies, so that what the
    // executor merges into one entity later never shows up in another.
    const given = new Set<number>();
    const spread = slots.map((slot) => {
      if (given.has(slot)) return copyJson(entities[slot]);
      given.add(slot);
      return entities[slot];
    });
    data = { ...data, _entities: spread };
  }
  const errors = response.errors?.flatMap((error) => {
    const path = error.path;
    if (!path || path[0] !== '_entities' || typeof path[1] !== 'number') return [error];
    const at = path[1];
    const rest = path.slice(2);
    return slots.flatMap((slot, i) => (slot === at ? [{ ...error, path: ['_entities', i, ...rest] }] : []));
  });
  return { ...response, data, ...(errors ? { errors } : {}) };
}

/** A deep copy of a JSON value (what a subgraph answers): cheaper than `structuredClone`. */
function copyJson(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copyJson);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = copyJson((value as Record<string, unknown>)[key]);
  return out;
}
