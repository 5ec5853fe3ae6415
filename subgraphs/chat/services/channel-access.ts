/**
 * "May this user read / send in this channel?" The community subgraph owns the answer;
 * chat asks it through its API, once per channel per request.
 */
import DataLoader from 'dataloader';
import type { InternalClient } from '../../../platform/subgraph/internal-client.ts';

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

const CHANNEL_ACCESS = /* GraphQL */ `
  query ChannelAccess($channelId: ID!, $userId: ID!) {
    channelAccess(channelId: $channelId, userId: $userId) { canView canSend permissions communityId slowModeSeconds }
  }
`;

export class ChannelAccessClient {
  readonly #internal: InternalClient;

  constructor(internal: InternalClient) {
    this.#internal = internal;
  }

  async check(channelId: string, userId: string | null): Promise<ChannelAccess> {
    if (!userId) return NO_ACCESS;
    const data = await this.#internal.query<{ channelAccess: ChannelAccess }>('community', CHANNEL_ACCESS, { channelId, userId });
    return data.channelAccess;
  }

  /** A per-request memo of `check` for the viewer. */
  loader(userId: string | null): DataLoader<string, ChannelAccess> {
    return new DataLoader((channelIds) => Promise.all(channelIds.map((id) => this.check(id, userId))));
  }
}
