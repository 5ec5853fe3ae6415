/**
 * Service-to-service calls: one subgraph asking another through that subgraph's own API
 * (never its tables). Requests are signed like the gateway's, so the callee applies the
 * same trust rules.
 *
 * At most `MAX_IN_FLIGHT` requests per target subgraph are in flight; more wait their turn
 * here. A burst — a gateway fleet reopening a thousand live subscriptions, each asking
 * community for the viewer's rights — otherwise opens a connection per request, past the
 * callee's accept queue (connections then time out) and its event loop (answers take tens
 * of seconds). Every call is a read, so one that failed on the network is tried once more.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import { signAssertion } from '../auth/gateway-trust.ts';
import { GATEWAY_ASSERTION_HEADER } from '../auth/gateway-trust.ts';
import type { SubgraphName } from '../config.ts';
import { httpFetcher } from '../http/http-fetcher.ts';

export class InternalCallError extends Error {
  override name = 'InternalCallError';
}

/** Requests in flight to one subgraph at most. */
export const MAX_IN_FLIGHT = 32;
/** Wait before the second try of a call that failed on the network, ms. */
const RETRY_AFTER_MS = 250;

export class InternalClient {
  readonly #urls: () => Partial<Record<SubgraphName, string>>;
  readonly #secret: string;
  readonly #limits = new Map<SubgraphName, LimitFunction>();
  readonly #fetch = httpFetcher();

  /** `urls` is read at call time: in the embedded profile subgraphs learn their ports as they start. */
  constructor(urls: () => Partial<Record<SubgraphName, string>>, secret: string) {
    this.#urls = urls;
    this.#secret = secret;
  }

  async query<T>(target: SubgraphName, query: string, variables: Record<string, unknown>, asUser: string | null = null): Promise<T> {
    const url = this.#urls()[target];
    if (!url) throw new InternalCallError(`no address known for subgraph ${target}`);
    let limit = this.#limits.get(target);
    if (!limit) this.#limits.set(target, (limit = pLimit(MAX_IN_FLIGHT)));
    const body = JSON.stringify({ query, variables });
    const answer = await limit(async () => {
      try {
        return await this.#post<T>(url, body, asUser);
      } catch {
        await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_MS));
        return this.#post<T>(url, body, asUser);
      }
    }).catch((err: unknown) => {
      throw new InternalCallError(`${target}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    });
    if (answer.errors?.length || !answer.data) {
      throw new InternalCallError(`${target}: ${answer.errors?.map((e) => e.message).join('; ') ?? `HTTP ${answer.status}`}`);
    }
    return answer.data;
  }

  /** Calls to `target` waiting for a turn (not yet sent). */
  waiting(target: SubgraphName): number {
    return this.#limits.get(target)?.pendingCount ?? 0;
  }

  /** One POST, its JSON body read inside the turn it holds (a network failure throws). */
  async #post<T>(url: string, body: string, asUser: string | null): Promise<{ data?: T; errors?: { message: string }[]; status: number }> {
    const res = await this.#fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [GATEWAY_ASSERTION_HEADER]: signAssertion(this.#secret, { userId: asUser, sessionId: null }),
      },
      body,
    });
    const json = (await res.json()) as { data?: T; errors?: { message: string }[] };
    return { ...json, status: res.status };
  }
}
