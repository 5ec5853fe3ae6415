/**
 * "May this user read / send in this channel?" The community subgraph owns the answer;
 * chat asks it through its API, once per channel per request (and per turn of the event
 * loop, however many requests ask).
 */
import DataLoader from 'dataloader';
import { InternalCallError, type InternalClient } from '../../../platform/subgraph/internal-client.ts';

export interface ChannelAccess {
  canView: boolean;
  canSend: boolean;
  /** Every permission the user has in the channel (community's `Permission` names). */
  permissions: string[];
  /** The channel's community, when the channel exists. */
  communityId: string | null;
  /** Seconds a member must wait between two messages in the channel (0: off). */
  slowModeSeconds: number;
}

const NO_ACCESS: ChannelAccess = { canView: false, canSend: false, permissions: [], communityId: null, slowModeSeconds: 0 };

/** True when `access` includes `permission`. */
export function allows(access: ChannelAccess, permission: string): boolean {
  return access.permissions.includes(permission);
}

const CHANNEL_ACCESSES = /* GraphQL */ `
  query ChannelAccesses($checks: [ChannelAccessCheck!]!) {
    channelAccesses(checks: $checks) { canView canSend permissions communityId slowModeSeconds }
  }
`;

/** Pairs per call at most: community answers up to 500. */
export const MAX_CHECKS_PER_CALL = 500;

interface Check {
  channelId: string;
  userId: string;
}

const keyOf = (c: Check) => `${c.channelId}:${c.userId}`;

/**
 * Asks community, which owns the answer. Checks asked in the same turn of the event loop
 * travel as one call (`channelAccesses`, a DataLoader batch dispatched once the turn's I/O
 * callbacks have run): a gateway reopening a thousand live subscriptions, or a burst of
 * sends, costs community a few requests rather than one per viewer. Nothing is kept
 * between batches: every answer is community's current one.
 */
export class ChannelAccessClient {
  readonly #internal: InternalClient;
  readonly #batches = new DataLoader<Check, ChannelAccess>((checks) => this.#ask(checks), {
    cache: false,
    maxBatchSize: MAX_CHECKS_PER_CALL,
    batchScheduleFn: (dispatch) => setImmediate(dispatch),
  });

  constructor(internal: InternalClient) {
    this.#internal = internal;
  }

  check(channelId: string, userId: string | null): Promise<ChannelAccess> {
    if (!userId) return Promise.resolve(NO_ACCESS);
    return this.#batches.load({ channelId, userId });
  }

  /** A per-request memo of `check` for the viewer. */
  loader(userId: string | null): DataLoader<string, ChannelAccess> {
    return new DataLoader((channelIds) => Promise.all(channelIds.map((id) => this.check(id, userId))));
  }

  /** One call for a batch, each pair asked once; a failed call fails every check of it. */
  async #ask(checks: readonly Check[]): Promise<ChannelAccess[]> {
    const asked = [...new Map(checks.map((c) => [keyOf(c), c])).values()];
    const { channelAccesses } = await this.#internal.query<{ channelAccesses: ChannelAccess[] }>('community', CHANNEL_ACCESSES, {
      checks: asked.map(({ channelId, userId }) => ({ channelId, userId })),
    });
    // Answers are matched to checks by position: a list of another length matches none.
    if (channelAccesses.length !== asked.length) {
      throw new InternalCallError(`community: ${channelAccesses.length} answers to ${asked.length} channel access checks`);
    }
    const byKey = new Map(asked.map((c, i) => [keyOf(c), channelAccesses[i]!]));
    return checks.map((c) => byKey.get(keyOf(c))!);
  }
}
