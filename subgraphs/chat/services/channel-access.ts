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

interface Pending {
  channelId: string;
  userId: string;
  answers: { resolve: (access: ChannelAccess) => void; reject: (err: unknown) => void }[];
}

/**
 * Asks community, which owns the answer. Checks asked in the same turn of the event loop
 * travel as one call (`channelAccesses`): a gateway reopening a thousand live subscriptions,
 * or a burst of sends, costs community a few requests rather than one per viewer.
 */
export class ChannelAccessClient {
  readonly #internal: InternalClient;
  /** Checks waiting for the end of this turn, by channel and user. */
  #pending = new Map<string, Pending>();
  #scheduled = false;

  constructor(internal: InternalClient) {
    this.#internal = internal;
  }

  check(channelId: string, userId: string | null): Promise<ChannelAccess> {
    if (!userId) return Promise.resolve(NO_ACCESS);
    return new Promise((resolve, reject) => {
      const key = `${channelId}:${userId}`;
      const waiting = this.#pending.get(key);
      if (waiting) {
        waiting.answers.push({ resolve, reject });
        return;
      }
      this.#pending.set(key, { channelId, userId, answers: [{ resolve, reject }] });
      if (this.#pending.size >= MAX_CHECKS_PER_CALL) this.#flush();
      else if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => {
          this.#scheduled = false;
          this.#flush();
        });
      }
    });
  }

  /** A per-request memo of `check` for the viewer. */
  loader(userId: string | null): DataLoader<string, ChannelAccess> {
    return new DataLoader((channelIds) => Promise.all(channelIds.map((id) => this.check(id, userId))));
  }

  #flush(): void {
    const batch = [...this.#pending.values()];
    if (batch.length === 0) return;
    this.#pending = new Map();
    const checks = batch.map(({ channelId, userId }) => ({ channelId, userId }));
    this.#internal.query<{ channelAccesses: ChannelAccess[] }>('community', CHANNEL_ACCESSES, { checks }).then(
      ({ channelAccesses }) => {
        // Answers are matched to checks by position: a list of another length matches none.
        if (channelAccesses.length !== batch.length) {
          const err = new InternalCallError(`community: ${channelAccesses.length} answers to ${batch.length} channel access checks`);
          for (const p of batch) for (const a of p.answers) a.reject(err);
          return;
        }
        batch.forEach((p, i) => {
          for (const a of p.answers) a.resolve(channelAccesses[i]!);
        });
      },
      (err: unknown) => {
        for (const p of batch) for (const a of p.answers) a.reject(err);
      },
    );
  }
}
