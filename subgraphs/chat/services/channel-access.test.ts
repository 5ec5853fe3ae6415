import { describe, expect, it } from 'vitest';
import type { InternalClient } from '../../../platform/subgraph/internal-client.ts';
import { ChannelAccessClient, MAX_CHECKS_PER_CALL, type ChannelAccess } from './channel-access.ts';

type Check = { channelId: string; userId: string };

/** Community's side of the call: who may see what, and a record of each call chat made. */
class FakeCommunity {
  readonly calls: Check[][] = [];
  fail = false;
  /** Answers one fewer than asked (a broken peer). */
  short = false;

  query(target: string, _query: string, variables: Record<string, unknown>): Promise<unknown> {
    expect(target).toBe('community');
    const checks = variables['checks'] as Check[];
    this.calls.push(checks);
    if (this.fail) return Promise.reject(new Error('community is down'));
    const answers: ChannelAccess[] = checks.map((c) => ({
      canView: c.userId.startsWith('member'),
      canSend: false,
      permissions: [`${c.channelId}/${c.userId}`],
      communityId: 'community-1',
      slowModeSeconds: 0,
    }));
    return Promise.resolve({ channelAccesses: this.short ? answers.slice(1) : answers });
  }
}

const clientOf = (community: FakeCommunity) => new ChannelAccessClient(community as unknown as InternalClient);

describe('ChannelAccessClient', () => {
  it('sends the checks of one turn as one call, each pair once, and gives each caller its own answer', async () => {
    const community = new FakeCommunity();
    const client = clientOf(community);
    const answers = await Promise.all([
      client.check('c1', 'member-1'),
      client.check('c1', 'stranger'),
      client.check('c2', 'member-1'),
      client.check('c1', 'member-1'),
    ]);
    expect(community.calls).toEqual([[{ channelId: 'c1', userId: 'member-1' }, { channelId: 'c1', userId: 'stranger' }, { channelId: 'c2', userId: 'member-1' }]]);
    expect(answers.map((a) => a.permissions[0])).toEqual(['c1/member-1', 'c1/stranger', 'c2/member-1', 'c1/member-1']);
    expect(answers.map((a) => a.canView)).toEqual([true, false, true, true]);
    // A later turn is a new call.
    await client.check('c1', 'member-1');
    expect(community.calls).toHaveLength(2);
  });

  it(`splits a turn of more than ${MAX_CHECKS_PER_CALL} pairs into calls of at most that many`, async () => {
    const community = new FakeCommunity();
    const client = clientOf(community);
    const n = 2 * MAX_CHECKS_PER_CALL + 1;
    const answers = await Promise.all(Array.from({ length: n }, (_, i) => client.check('c1', `member-${i}`)));
    expect(community.calls.map((c) => c.length)).toEqual([MAX_CHECKS_PER_CALL, MAX_CHECKS_PER_CALL, 1]);
    expect(answers.map((a) => a.permissions[0])).toEqual(Array.from({ length: n }, (_, i) => `c1/member-${i}`));
  });

  it('answers an anonymous viewer without asking, and fails every check of a call that failed or came back short', async () => {
    const community = new FakeCommunity();
    const client = clientOf(community);
    expect((await client.check('c1', null)).canView).toBe(false);
    expect(community.calls).toHaveLength(0);
    community.fail = true;
    const failed = await Promise.allSettled([client.check('c1', 'member-1'), client.check('c2', 'member-1')]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    community.fail = false;
    community.short = true;
    const short = await Promise.allSettled([client.check('c1', 'member-1'), client.check('c2', 'member-1')]);
    expect(short.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((short[0] as PromiseRejectedResult).reason)).toContain('1 answers to 2');
  });
});
