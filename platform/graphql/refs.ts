/**
 * A reference to an entity another subgraph owns (or this subgraph extends): just its
 * key. The gateway fetches the rest from the owner.
 */
export interface EntityRef {
  id: string;
}
