/**
 * No N+1: the SQL the community subgraph runs for a page of members with their roles
 * is counted, and does not grow with the page size.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataOf, request, signUpUser, startTestVeza, type TestUser, type TestVeza } from '../support/index.ts';
import { AddMemberRoleDocument, CreateCommunityFullDocument, CreateInviteDocument, CreateRoleDocument, JoinCommunityDocument, MembersDocument } from '../generated/graphql.ts';

describe('members page', () => {
  let veza: TestVeza;
  let owner: TestUser;
  let communityId: string;
  let counting = false;
  let statements: string[] = [];

  beforeAll(async () => {
    veza = await startTestVeza('production', {
      env: { SIGN_UP_LIMIT_PER_ADDRESS: '1000' },
      onQuery: (subgraph, sql) => {
        // The outbox relay polls in the background; its statements are not the page's.
        if (counting && subgraph === 'community' && !/outbox|^(begin|commit|rollback)/i.test(sql)) statements.push(sql);
      },
    });
    owner = await signUpUser(veza.url, 'Owner');
    communityId = dataOf(await request(veza.url, CreateCommunityFullDocument, { input: { name: 'Crowd' } }, owner.token)).createCommunity.id;
    const roles = await Promise.all(
      ['Red', 'Blue'].map(async (name) => dataOf(await request(veza.url, CreateRoleDocument, { input: { communityId, name } }, owner.token)).createRole.id),
    );
    const code = dataOf(await request(veza.url, CreateInviteDocument, { input: { communityId } }, owner.token)).createInvite.code;
    for (let i = 0; i < 60; i++) {
      const u = await signUpUser(veza.url, `Member ${i}`);
      dataOf(await request(veza.url, JoinCommunityDocument, { code }, u.token));
      for (const roleId of roles.slice(0, 1 + (i % 2))) {
        dataOf(await request(veza.url, AddMemberRoleDocument, { communityId, userId: u.id, roleId }, owner.token));
      }
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
});
