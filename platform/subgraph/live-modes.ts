/**
 * How the gateway shares a subscription across viewers (docs/decisions/0011-subgraph-subscriptions.md):
 * a subscribe's `extensions.mode` is
 * - absent: the viewer's own subscription, authorised and resolved for them;
 * - `feed`: the events every admitted viewer gets, opened without a viewer — only on
 *   fields tagged `@tag(name: "shared")`, whose resolvers then skip per-viewer checks;
 * - `guard`: the viewer's authorisation alone — the field subscribes as usual (checking
 *   access and watching it), the subgraph answers `{ extensions: { guard: "granted" } }`
 *   once subscribed, then sends nothing but the result with errors that ends it.
 */
import type { ExecutionResult } from 'graphql';

export type LiveMode = 'direct' | 'feed' | 'guard';

export function liveModeOf(extensions: Record<string, unknown> | null | undefined): LiveMode {
  const mode = extensions?.['mode'];
  return mode === 'feed' || mode === 'guard' ? mode : 'direct';
}

/** A guard's stream: "granted", then only the first result with errors (and the end). */
export async function* guardStream(source: AsyncIterable<ExecutionResult> & { return?: () => Promise<unknown> }): AsyncGenerator<ExecutionResult> {
  const it = source[Symbol.asyncIterator]();
  try {
    yield { extensions: { guard: 'granted' } };
    for (let r = await it.next(); !r.done; r = await it.next()) {
      if (r.value.errors?.length) {
        yield r.value;
        return;
      }
    }
  } finally {
    await it.return?.();
  }
}
