/**
 * No N+1: the SQL the community subgraph runs for a page of members with their roles,
 * and for the channel rights other subgraphs ask about many users at once, is counted,
 * and does not grow with the number asked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataOf, rawRequest, request, signUpUser, startTestVeza, type TestUser, type TestVeza } from '../support/index.ts';
import { assertionFor } from '../support/subgraph-live.ts';
import { GATEWAY_ASSERTION_HEADER } from '../../platform/auth/gateway-trust.ts';
import { isOperationStatement } from '../../platform/db/orm.ts';
import {
  AddMemberRoleDocument, CreateChannelDocument, CreateCommunityFullDocument, CreateInviteDocument, CreateRoleDocument, JoinCommunityDocument, MembersDocument, SetOverwriteDocument, TimeoutDocument,
} from '../generated/graphql.ts';

interface Access {
  channelId: string;
  userId: string;
  communityId: string | null;
  canView: boolean;
  canSend: boolean;
  permissions: string[];
  slowModeSeconds: number;
}
const ACCESS_FIELDS = 'channelId userId communityId canView canSend permissions slowModeSeconds';

describe('members page', () => {
  let veza: TestVeza;
  let owner: TestUser;
  let communityId: string;
  let generalId: string;
  /** Visible to the Blue role only (every other member). */
  let redRoomId: string;
  const memberIds: string[] = [];
  let counting = false;
  let statements: string[] = [];

  beforeAll(async () => {
    veza = await startTestVeza('production', {
      env: { SIGN_UP_LIMIT_PER_ADDRESS: '1000' },
      onQuery: (subgraph, sql) => {
        // Transaction control and the outbox relay (polling in the background) are not the page's.
        if (counting && subgraph === 'community' && isOperationStatement(sql)) statements.push(sql);
      },
    });
    owner = await signUpUser(veza.url, 'Owner');
    const community = dataOf(await request(veza.url, CreateCommunityFullDocument, { input: { name: 'Crowd' } }, owner.token)).createCommunity;
    communityId = community.id;
    generalId = community.channels[0]!.id;
    const roles = await Promise.all(
      ['Red', 'Blue'].map(async (name) => dataOf(await request(veza.url, CreateRoleDocument, { input: { communityId, name } }, owner.token)).createRole.id),
    );
    const code = dataOf(await request(veza.url, CreateInviteDocument, { input: { communityId } }, owner.token)).createInvite.code;
    for (let i = 0; i < 60; i++) {
      const u = await signUpUser(veza.url, `Member ${i}`);
      memberIds.push(u.id);
      dataOf(await request(veza.url, JoinCommunityDocument, { code }, u.token));
      for (const roleId of roles.slice(0, 1 + (i % 2))) {
        dataOf(await request(veza.url, AddMemberRoleDocument, { communityId, userId: u.id, roleId }, owner.token));
      }
    }
    redRoomId = dataOf(await request(veza.url, CreateChannelDocument, { input: { communityId, name: 'Red room' } }, owner.token)).createChannel.id;
    const blue = roles[1]!;
    for (const overwrite of [
      { targetType: 'ROLE' as const, targetId: communityId, deny: ['VIEW_CHANNEL' as const] },
      { targetType: 'ROLE' as const, targetId: blue, allow: ['VIEW_CHANNEL' as const] },
    ]) {
      dataOf(await request(veza.url, SetOverwriteDocument, { input: { channelId: redRoomId, ...overwrite } }, owner.token));
    }
  });
  afterAll(async () => {
    await veza?.stop();
  });

  async function countFor(first: number): Promise<{ statements: number; members: number; roles: number }> {
    statements = [];
    counting = true;
    const page = dataOf(await request(veza.url, MembersDocument, { id: communityId, first }, owner.token));
    counting = false;
    const edges = page.community?.members.edges ?? [];
    return { statements: statements.length, members: edges.length, roles: edges.reduce((n, e) => n + e.node.roles.length, 0) };
  }

  it('costs the same number of SQL statements for 5, 20 and 50 members with roles', async () => {
    const small = await countFor(5);
    const medium = await countFor(20);
    const large = await countFor(50);
    expect([small.members, medium.members, large.members]).toEqual([5, 20, 50]);
    expect(large.roles).toBeGreaterThan(50);
    expect(small.statements).toBeGreaterThan(0);
    expect(medium.statements).toBe(small.statements);
    expect(large.statements).toBe(small.statements);
  });

  /** Community's own API, as chat calls it: signed with the gateway secret, no viewer. */
  async function askCommunity<T>(query: string, variables: Record<string, unknown>) {
    const url = veza.veza.platform.subgraphUrls.community!;
    return rawRequest<T>(url, JSON.stringify({ query, variables }), undefined, { [GATEWAY_ASSERTION_HEADER]: assertionFor(veza, null) });
  }
  const many = (checks: { channelId: string; userId: string }[]) =>
    askCommunity<{ channelAccesses: Access[] }>(`query ($checks: [ChannelAccessCheck!]!) { channelAccesses(checks: $checks) { ${ACCESS_FIELDS} } }`, { checks });
  const one = async (check: { channelId: string; userId: string }) =>
    dataOf(await askCommunity<{ channelAccess: Access }>(`query ($channelId: ID!, $userId: ID!) { channelAccess(channelId: $channelId, userId: $userId) { ${ACCESS_FIELDS} } }`, check)).channelAccess;

  it('answers many users\' channel rights in one call, in the order asked, each as asking alone would', async () => {
    const stranger = await signUpUser(veza.url, 'Stranger');
    const checks = [
      { channelId: redRoomId, userId: memberIds[0]! }, // Red only: not in the room
      { channelId: redRoomId, userId: memberIds[1]! }, // Red and Blue: in it
      { channelId: generalId, userId: memberIds[0]! },
      { channelId: redRoomId, userId: owner.id },
      { channelId: redRoomId, userId: stranger.id }, // not a member
      { channelId: generalId, userId: 'not-an-id' },
      { channelId: '01900000-0000-7000-8000-000000000000', userId: memberIds[2]! }, // no such channel
      { channelId: redRoomId, userId: memberIds[0]! }, // asked twice
    ];
    const answers = dataOf(await many(checks)).channelAccesses;
    const alone = await Promise.all(checks.map(one));
    expect(answers).toEqual(alone);
    expect(answers.map((a) => [a.channelId, a.userId])).toEqual(checks.map((c) => [c.channelId, c.userId]));
    expect(answers.map((a) => a.canView)).toEqual([false, true, true, true, false, false, false, false]);
    // Every other member has Blue (see beforeAll): the room is theirs alone.
    const all = dataOf(await many(memberIds.map((userId) => ({ channelId: redRoomId, userId })))).channelAccesses;
    expect(all.map((a) => a.canView)).toEqual(memberIds.map((_, i) => i % 2 === 1));
    expect(all.every((a) => a.communityId === communityId)).toBe(true);
  });

  it('applies a category\'s overwrites to the channels synced with it, and a timeout, as asking alone would', async () => {
    const category = dataOf(await request(veza.url, CreateChannelDocument, { input: { communityId, name: 'Quiet', type: 'CATEGORY' } }, owner.token)).createChannel.id;
    const synced = dataOf(await request(veza.url, CreateChannelDocument, { input: { communityId, name: 'Quiet room', parentId: category } }, owner.token)).createChannel.id;
    dataOf(await request(veza.url, SetOverwriteDocument, { input: { channelId: category, targetType: 'MEMBER', targetId: memberIds[4]!, deny: ['SEND_MESSAGES'] } }, owner.token));
    const until = new Date(Date.now() + 3_600_000).toISOString();
    dataOf(await request(veza.url, TimeoutDocument, { input: { communityId, userId: memberIds[6]! }, until }, owner.token));
    const checks = [synced, generalId].flatMap((channelId) => [4, 5, 6].map((i) => ({ channelId, userId: memberIds[i]! })));
    const answers = dataOf(await many(checks)).channelAccesses;
    expect(answers).toEqual(await Promise.all(checks.map(one)));
    // Member 4 may read the synced room but not write in it; member 6 (timed out) writes nowhere.
    expect(answers.map((a) => [a.canView, a.canSend])).toEqual([
      [true, false], [true, true], [true, false],
      [true, true], [true, true], [true, false],
    ]);
  });

  it('costs the same number of SQL statements for 5 and 60 users in two channels', async () => {
    const count = async (n: number) => {
      const checks = memberIds.slice(0, n).flatMap((userId) => [{ channelId: generalId, userId }, { channelId: redRoomId, userId }]);
      statements = [];
      counting = true;
      const answers = dataOf(await many(checks)).channelAccesses;
      counting = false;
      expect(answers).toHaveLength(2 * n);
      return statements.length;
    };
    const small = await count(5);
    expect(small).toBeGreaterThan(0);
    expect(await count(60)).toBe(small);
  });

  it('refuses more than 500 pairs in one call (BAD_USER_INPUT)', async () => {
    const res = await many(Array.from({ length: 501 }, () => ({ channelId: generalId, userId: owner.id })));
    expect(res.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(res.data).toBeNull();
  });
});
