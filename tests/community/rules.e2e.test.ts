/**
 * Community rules that refuse bad input and abuse with the right code, never a crash:
 * names, handles, tokens, invites, the role hierarchy, moderation and rate limits.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenSigner } from '../../platform/auth/access-tokens.ts';
import { codeOf, dataOf, rawRequest, request, signUpUser, startTestVeza, type TestUser, type TestVeza } from '../support/index.ts';
import {
  AddMemberRoleDocument,
  BanDocument,
  BansDocument,
  ChannelAccessViewDocument,
  CreateChannelDocument,
  CreateCommunityFullDocument,
  CreateInviteDocument,
  CreateRoleDocument,
  JoinCommunityDocument,
  KickDocument,
  MeDocument,
  SendMessageDocument,
  SignInDocument,
  SignUpFullDocument,
  TimeoutDocument,
  UnbanDocument,
  UpdateRoleDocument,
} from '../generated/graphql.ts';

describe('community rules', () => {
  let veza: TestVeza;
  let owner: TestUser;
  let communityId: string;
  let generalId: string;

  async function invite(maxUses?: number): Promise<string> {
    return dataOf(await request(veza.url, CreateInviteDocument, { input: { communityId, ...(maxUses ? { maxUses } : {}) } }, owner.token)).createInvite.code;
  }
  async function member(name: string): Promise<TestUser> {
    const u = await signUpUser(veza.url, name);
    dataOf(await request(veza.url, JoinCommunityDocument, { code: await invite() }, u.token));
    return u;
  }

  beforeAll(async () => {
    veza = await startTestVeza('production', { env: { SIGN_IN_LIMIT_PER_ACCOUNT: '5' } });
    owner = await signUpUser(veza.url, 'Owner');
    const c = dataOf(await request(veza.url, CreateCommunityFullDocument, { input: { name: 'Rules' } }, owner.token)).createCommunity;
    communityId = c.id;
    generalId = c.channels[0]!.id;
  });
  afterAll(async () => {
    await veza?.stop();
  });

  it('refuses empty and over-long names', async () => {
    for (const name of ['', ' x ', 'y'.repeat(101)]) {
      expect(codeOf(await request(veza.url, CreateCommunityFullDocument, { input: { name } }, owner.token))).toBe('BAD_USER_INPUT');
    }
    expect(codeOf(await request(veza.url, CreateChannelDocument, { input: { communityId, name: '   ' } }, owner.token))).toBe('BAD_USER_INPUT');
    expect(codeOf(await request(veza.url, CreateRoleDocument, { input: { communityId, name: 'r'.repeat(101) } }, owner.token))).toBe('BAD_USER_INPUT');
    expect(codeOf(await request(veza.url, SignUpFullDocument, { input: { handle: 'no spaces please', displayName: 'X', password: 'a long passphrase' } }))).toBe('BAD_USER_INPUT');
  });

  it('refuses a duplicate handle, whatever its case, and writes nothing', async () => {
    const res = await request(veza.url, SignUpFullDocument, { input: { handle: owner.handle.toUpperCase(), displayName: 'Copy', password: 'a long passphrase' } });
    expect(codeOf(res)).toBe('CONFLICT');
    expect(codeOf(await request(veza.url, SignInDocument, { input: { handle: owner.handle, password: 'a long passphrase' } }))).toBeUndefined();
  });

  it('refuses expired and tampered access tokens with 401', async () => {
    const expiredSigner = await TokenSigner.fromPem(veza.config.authPrivateKey!, -60);
    const { token: expired } = await expiredSigner.sign({ sub: owner.id, sid: owner.id });
    const tampered = owner.token.slice(0, -4) + (owner.token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    for (const token of [expired, tampered]) {
      const res = await rawRequest(veza.url, JSON.stringify({ query: '{ me { id } }' }), token);
      expect(res.status).toBe(401);
      expect(codeOf(res)).toBe('UNAUTHENTICATED');
    }
    expect(dataOf(await request(veza.url, MeDocument, {}, owner.token)).me?.id).toBe(owner.id);
  });

  it('refuses unknown, used-up and expired invites', async () => {
    const u = await signUpUser(veza.url, 'Joiner');
    expect(codeOf(await request(veza.url, JoinCommunityDocument, { code: 'NOPE1234' }, u.token))).toBe('NOT_FOUND');
    const once = await invite(1);
    dataOf(await request(veza.url, JoinCommunityDocument, { code: once }, (await signUpUser(veza.url, 'First')).token));
    expect(codeOf(await request(veza.url, JoinCommunityDocument, { code: once }, u.token))).toBe('BAD_USER_INPUT');
    const soon = dataOf(await request(veza.url, CreateInviteDocument, { input: { communityId, expiresInSeconds: 60 } }, owner.token)).createInvite.code;
    // Age the invite in the database rather than waiting a minute.
    const db = new pg.Client({ connectionString: veza.config.databaseUrl });
    await db.connect();
    await db.query("update community.invites set expires_at = now() - interval '1 second' where code = $1", [soon]);
    await db.end();
    const expired = await request(veza.url, JoinCommunityDocument, { code: soon }, u.token);
    expect(codeOf(expired)).toBe('BAD_USER_INPUT');
    expect(expired.errors?.[0]?.message).toMatch(/expired/);
  });

  it('keeps the role hierarchy: no managing roles at or above your own, no granting what you lack', async () => {
    const mod = await member('Mod');
    const modRole = dataOf(await request(veza.url, CreateRoleDocument, { input: { communityId, name: 'Mods', permissions: ['MANAGE_ROLES', 'KICK_MEMBERS'] } }, owner.token)).createRole;
    const helper = dataOf(await request(veza.url, CreateRoleDocument, { input: { communityId, name: 'Helpers', permissions: [] } }, owner.token)).createRole;
    // Newest roles go just above @everyone: Helpers is 1, Mods is 2.
    expect(helper.position).toBe(1);
    dataOf(await request(veza.url, AddMemberRoleDocument, { communityId, userId: mod.id, roleId: modRole.id }, owner.token));
    // Moving Helpers to Mods' position (or above) breaks the hierarchy.
    expect(codeOf(await request(veza.url, UpdateRoleDocument, { input: { roleId: helper.id, position: 2 } }, mod.token))).toBe('FORBIDDEN');
    expect(codeOf(await request(veza.url, UpdateRoleDocument, { input: { roleId: modRole.id, name: 'Super mods' } }, mod.token))).toBe('FORBIDDEN');
    expect(codeOf(await request(veza.url, UpdateRoleDocument, { input: { roleId: helper.id, permissions: ['BAN_MEMBERS'] } }, mod.token))).toBe('FORBIDDEN');
    expect(codeOf(await request(veza.url, UpdateRoleDocument, { input: { roleId: helper.id, position: 99 } }, owner.token))).toBe('BAD_USER_INPUT');
    const ok = dataOf(await request(veza.url, UpdateRoleDocument, { input: { roleId: helper.id, permissions: ['KICK_MEMBERS'] } }, mod.token)).updateRole;
    expect(ok.permissions).toEqual(['KICK_MEMBERS']);
  });

  it('moderates below oneself only: kick, ban (no rejoining), unban, timeout', async () => {
    const mod = await member('Mod2');
    const role = dataOf(await request(veza.url, CreateRoleDocument, { input: { communityId, name: 'Mods2', permissions: ['KICK_MEMBERS', 'BAN_MEMBERS', 'MODERATE_MEMBERS'] } }, owner.token)).createRole;
    dataOf(await request(veza.url, AddMemberRoleDocument, { communityId, userId: mod.id, roleId: role.id }, owner.token));
    const peer = await member('Peer');
    dataOf(await request(veza.url, AddMemberRoleDocument, { communityId, userId: peer.id, roleId: role.id }, owner.token));
    const troll = await member('Troll');

    expect(codeOf(await request(veza.url, KickDocument, { input: { communityId, userId: owner.id } }, mod.token))).toBe('FORBIDDEN');
    expect(codeOf(await request(veza.url, KickDocument, { input: { communityId, userId: peer.id } }, mod.token))).toBe('FORBIDDEN');
    expect(codeOf(await request(veza.url, KickDocument, { input: { communityId, userId: mod.id } }, troll.token))).toBe('FORBIDDEN');

    const until = new Date(Date.now() + 3600_000).toISOString();
    const timedOut = dataOf(await request(veza.url, TimeoutDocument, { input: { communityId, userId: troll.id, reason: 'cool off' }, until }, mod.token)).timeoutMember;
    expect(timedOut.timedOutUntil).toBe(until);
    expect(codeOf(await request(veza.url, SendMessageDocument, { input: { channelId: generalId, body: 'spam' } }, troll.token))).toBe('FORBIDDEN');
    expect(dataOf(await request(veza.url, ChannelAccessViewDocument, { id: generalId }, troll.token)).channel?.myPermissions).toEqual(['VIEW_CHANNEL', 'READ_MESSAGE_HISTORY']);

    expect(dataOf(await request(veza.url, BanDocument, { input: { communityId, userId: troll.id, reason: 'spam' } }, mod.token)).banMember).toBe(true);
    expect(dataOf(await request(veza.url, ChannelAccessViewDocument, { id: generalId }, troll.token)).channel).toBeNull();
    expect(codeOf(await request(veza.url, JoinCommunityDocument, { code: await invite() }, troll.token))).toBe('FORBIDDEN');
    const bans = dataOf(await request(veza.url, BansDocument, { id: communityId, first: 10 }, mod.token)).community?.bans;
    expect(bans?.edges.map((e) => e.node)).toEqual([{ user: { id: troll.id }, reason: 'spam' }]);
    expect(codeOf(await request(veza.url, BansDocument, { id: communityId }, (await member('Nobody')).token))).toBe('FORBIDDEN');
    dataOf(await request(veza.url, UnbanDocument, { input: { communityId, userId: troll.id } }, mod.token));
    dataOf(await request(veza.url, JoinCommunityDocument, { code: await invite() }, troll.token));
    expect(dataOf(await request(veza.url, KickDocument, { input: { communityId, userId: troll.id } }, mod.token)).kickMember).toBe(true);
    expect(codeOf(await request(veza.url, UnbanDocument, { input: { communityId, userId: troll.id } }, mod.token))).toBe('NOT_FOUND');
  });

  it('rate-limits sign-in attempts per account with a retry-after', async () => {
    const victim = await signUpUser(veza.url, 'Victim');
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 7; i++) codes.push(codeOf(await request(veza.url, SignInDocument, { input: { handle: victim.handle, password: 'wrong password!' } })));
    expect(codes.slice(0, 5)).toEqual(Array(5).fill('UNAUTHENTICATED'));
    expect(codes.slice(5)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    const limited = await request(veza.url, SignInDocument, { input: { handle: victim.handle, password: 'a long passphrase' } });
    expect(limited.errors?.[0]?.extensions?.['retryAfter']).toBeGreaterThan(0);
  });
});
