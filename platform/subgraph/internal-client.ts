/**
 * Service-to-service calls: one subgraph asking another through that subgraph's own API
 * (never its tables). Requests are signed like the gateway's, so the callee applies the
 * same trust rules.
 */
import { signAssertion } from '../auth/gateway-trust.ts';
import { GATEWAY_ASSERTION_HEADER } from '../auth/gateway-trust.ts';
import type { SubgraphName } from '../config.ts';

export class InternalCallError extends Error {
  override name = 'InternalCallError';
}

export class InternalClient {
  readonly #urls: () => Partial<Record<SubgraphName, string>>;
  readonly #secret: string;

  /** `urls` is read at call time: in the embedded profile subgraphs learn their ports as they start. */
  constructor(urls: () => Partial<Record<SubgraphName, string>>, secret: string) {
    this.#urls = urls;
    this.#secret = secret;
  }

  async query<T>(target: SubgraphName, query: string, variables: Record<string, unknown>, asUser: string | null = null): Promise<T> {
    const url = this.#urls()[target];
    if (!url) throw new InternalCallError(`no address known for subgraph ${target}`);
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [GATEWAY_ASSERTION_HEADER]: signAssertion(this.#secret, { userId: asUser, sessionId: null }),
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
    if (body.errors?.length || !body.data) {
      throw new InternalCallError(`${target}: ${body.errors?.map((e) => e.message).join('; ') ?? `HTTP ${res.status}`}`);
    }
    return body.data;
  }
}
