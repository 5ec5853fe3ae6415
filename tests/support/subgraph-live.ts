/**
 * Talking graphql-ws to a subgraph directly, as the gateway does: a connection signed
 * with the gateway secret, one viewer assertion per subscription, and a recorder of what
 * a subscription receives that tests wait on (for a condition, with a bounded timeout).
 */
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { signAssertion } from '../../platform/auth/gateway-trust.ts';
import type { SubgraphName } from '../../platform/config.ts';
import type { TestVeza } from './index.ts';

/** The subgraph's graphql-ws address (same port and path as its HTTP endpoint). */
export function subgraphWsUrl(veza: TestVeza, name: SubgraphName): string {
  const url = veza.veza.platform.subgraphUrls[name];
  if (!url) throw new Error(`subgraph ${name} is not running`);
  return url.replace(/^http/, 'ws');
}

/** A gateway assertion for `userId` (null: anonymous, or the gateway itself). */
export function assertionFor(veza: TestVeza, userId: string | null): string {
  return signAssertion(veza.veza.platform.services.gatewaySecret, { userId, sessionId: null });
}

/**
 * A graphql-ws client of the subgraph. `assertion` is what `connection_init` carries:
 * the gateway's own by default; `null` sends none.
 */
export function subgraphClient(veza: TestVeza, name: SubgraphName, assertion: string | null = assertionFor(veza, null)): Client {
  return createClient({
    url: subgraphWsUrl(veza, name),
    webSocketImpl: WebSocket,
    connectionParams: assertion === null ? {} : { assertion },
    retryAttempts: 0,
    shouldRetry: () => false,
  });
}

/** Everything one subscription received, and a way to wait for more. */
export class Recording<T> {
  readonly results: FormattedExecutionResult<T, unknown>[] = [];
  /** What ended the subscription with an error (an `error` message's errors, or a close event). */
  failure: unknown;
  completed = false;
  readonly #waiters = new Set<() => void>();
  #dispose: () => void = () => {};

  /** Resolves once `condition` holds (checked on each message); rejects after `timeoutMs`. */
  until(condition: (r: this) => boolean, timeoutMs = 10_000): Promise<void> {
    if (condition(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition(this)) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`condition not met within ${timeoutMs} ms; received ${JSON.stringify(this.results)}, failure ${JSON.stringify(this.failure)}, completed ${this.completed}`));
      }, timeoutMs);
      this.#waiters.add(check);
    });
  }

  /** Resolves once the subscription is over (completed or failed). */
  ended(timeoutMs?: number): Promise<void> {
    return this.until((r) => r.completed || r.failure !== undefined, timeoutMs);
  }

  /** The data of every result, in order (results with errors are left out). */
  get data(): T[] {
    return this.results.flatMap((r) => (r.data ? [r.data] : []));
  }

  /** `extensions.code` of every error received, in order. */
  get codes(): unknown[] {
    const errors = [...this.results.flatMap((r) => r.errors ?? []), ...(Array.isArray(this.failure) ? (this.failure as { extensions?: { code?: unknown } }[]) : [])];
    return errors.map((e) => e.extensions?.code);
  }

  stop(): void {
    this.#dispose();
  }

  /** @internal */
  start(dispose: () => void): void {
    this.#dispose = dispose;
  }

  /** @internal */
  changed(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

/** Subscribes to `document` as `viewerAssertion` (none when null) and records what comes. */
export function record<TResult, TVariables extends Record<string, unknown>>(
  client: Client,
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
  viewerAssertion: string | null,
): Recording<TResult> {
  const recording = new Recording<TResult>();
  recording.start(
    client.subscribe<TResult>(
      { query: print(document), variables, ...(viewerAssertion === null ? {} : { extensions: { assertion: viewerAssertion } }) },
      {
        next: (result) => {
          recording.results.push(result);
          recording.changed();
        },
        error: (err) => {
          recording.failure = err;
          recording.changed();
        },
        complete: () => {
          recording.completed = true;
          recording.changed();
        },
      },
    ),
  );
  return recording;
}

/** Subscriptions open on a subgraph of the test platform right now (its `veza_live_subscriptions` gauge). */
export async function liveSubscriptions(veza: TestVeza, name: SubgraphName): Promise<number> {
  const subgraph = veza.veza.subgraphs.find((s) => s.name === name);
  const gauge = subgraph?.metrics.registry.getSingleMetric('veza_live_subscriptions');
  if (!gauge) throw new Error(`no live subscription gauge on ${name}`);
  const { values } = await gauge.get();
  return values[0]?.value ?? 0;
}
