import { describe, expect, it } from 'vitest';
import { createPubSub } from '../../../platform/events/pubsub.ts';
import { permissionsChangedTrigger, type PermissionsChanged } from '../../../platform/events/live-triggers.ts';
import type { InternalClient } from '../../../platform/subgraph/internal-client.ts';
import { ChannelAccessClient, type ChannelAccess } from './channel-access.ts';
import { ChannelAccessWatch } from './access-watch.ts';

const PREFIX = 'test:';

/** Community's answers from a table it can change, counting the calls chat makes. */
class CountingAccess extends ChannelAccessClient {
  calls = 0;
  canView = true;
  constructor() {
    super(null as unknown as InternalClient);
  }
  override async check(): Promise<ChannelAccess> {
    this.calls++;
    return { canView: this.canView, canSend: this.canView, permissions: this.canView ? ['VIEW_CHANNEL'] : [], communityId: 'community-1', slowModeSeconds: 0 };
  }
}

function setUp() {
  const { pubsub } = createPubSub(undefined);
  const community = new CountingAccess();
  const watch = new ChannelAccessWatch(pubsub, community, PREFIX);
  const announce = (change: Partial<PermissionsChanged> = {}) =>
    pubsub.publish(permissionsChangedTrigger(PREFIX), { communityId: 'community-1', userId: null, channelId: null, reason: 'role changed', ...change });
  const ignore = () => undefined;
  return { community, watch, announce, ignore };
}

describe('ChannelAccessWatch', () => {
  it('gives a second watcher of the same viewer and channel the answer the first got, without asking community again', async () => {
    const { community, watch, ignore } = setUp();
    const first = await watch.watch('channel-1', 'user-1', ignore, ignore);
    const second = await watch.watch('channel-1', 'user-1', ignore, ignore);
    expect(first.access.canView).toBe(true);
    expect(second.access).toEqual(first.access);
    expect(community.calls).toBe(1);
    // Another viewer, or another channel, is asked for.
    await watch.watch('channel-1', 'user-2', ignore, ignore);
    await watch.watch('channel-2', 'user-1', ignore, ignore);
    expect(community.calls).toBe(3);
  });

  it('asks again after an announced change, and tells the watchers already open', async () => {
    const { community, watch, announce, ignore } = setUp();
    let told: ChannelAccess | undefined;
    const toldNow = new Promise<ChannelAccess>((resolve) => void watch.watch('channel-1', 'user-1', (a) => resolve((told = a)), ignore));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(community.calls).toBe(1);
    community.canView = false;
    await announce({ userId: 'user-1' });
    expect((await toldNow).canView).toBe(false);
    expect(told?.canView).toBe(false);
    expect(community.calls).toBe(2);
    // A watcher starting now gets the answer read after the change, not the one before it.
    const later = await watch.watch('channel-1', 'user-1', ignore, ignore);
    expect(later.access.canView).toBe(false);
    expect(community.calls).toBe(2);
  });

  it('forgets the answer once nobody watches that viewer in that channel', async () => {
    const { community, watch, ignore } = setUp();
    const first = await watch.watch('channel-1', 'user-1', ignore, ignore);
    first.stop();
    first.stop();
    await watch.watch('channel-1', 'user-1', ignore, ignore);
    expect(community.calls).toBe(2);
  });
});
