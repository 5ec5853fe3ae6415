/**
 * Community access end to end through the gateway: invites, roles, overwrites taking
 * effect at once for every subgraph that asks, sessions that can be revoked, and refresh
 * tokens that work once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, dataOf, request, signUpUser, startTestVeza, type TestVeza } from '../support/index.ts';
import {
  AddMemberRoleDocument,
  AuditLogDocument,
  ChannelAccessViewDocument,
  ChannelPageDocument,
  CommunityViewDocument,
  CreateChannelDocument,
  CreateCommunityFullDocument,
  CreateInviteDocument,
  CreateRoleDocument,
  DeleteOverwriteDocument,
  InvitePreviewDocument,
  JoinCommunityDocument,
  MySessionsDocument,
  RefreshSessionDocument,
  RevokeSessionDocument,
  SendMessageDocument,
  SetOverwriteDocument,
  SignInDocument,
} from '../generated/graphql.ts';

describe('community access through the gateway', () => {
  let veza: TestVeza;
  beforeAll(async () => {
    veza = await startTestVeza('production');
  });
  afterAll(async () => {
    await veza?.stop();
  });

  it('invites a member, gives a role, hides a channel with an overwrite: access ends at once', async () => {
    const alice = await signUpUser(veza.url, 'Alice');
    const signedIn = dataOf(await request(veza.url, SignInDocument, { input: { handle: alice.handle, password: 'a long passphrase' } }));
    const token = signedIn.signIn.accessToken;

    const community = dataOf(await request(veza.url, CreateCommunityFullDocument, { input: { name: 'Jazz Club' } }, token)).createCommunity;
    expect(community.roles).toEqual([{ id: community.id, name: '@everyone', position: 0, isEveryone: true }]);
    const secret = dataOf(await request(veza.url, CreateChannelDocument, { input: { communityId: community.id, name: 'Back Room' } }, token)).createChannel;
    expect(secret.name).toBe('back-room');

    const invite = dataOf(await request(veza.url, CreateInviteDocument, { input: { communityId: community.id, maxUses: 5 } }, token)).createInvite;
    const bob = await signUpUser(veza.url, 'Bob');
    const preview = dataOf(await request(veza.url, InvitePreviewDocument, { code: invite.code }, bob.token)).invite;
    expect(preview).toEqual({ communityName: 'Jazz Club', memberCount: 1 });
    dataOf(await request(veza.url, JoinCommunityDocument, { code: invite.code }, bob.token));

    const role = dataOf(
      await request(veza.url, CreateRoleDocument, { input: { communityId: community.id, name: 'Regulars', permissions: ['ADD_REACTIONS', 'CREATE_INVITE'] } }, token),
    ).createRole;
    const withRole = dataOf(await request(veza.url, AddMemberRoleDocument, { communityId: community.id, userId: bob.id, roleId: role.id }, token)).addMemberRole;
    expect(withRole.roles.map((r) => r.name)).toEqual(['Regulars']);

    // Bob can see and write in the back room.
    const seen = dataOf(await request(veza.url, ChannelAccessViewDocument, { id: secret.id }, bob.token)).channel;
    expect(seen?.myPermissions).toEqual(expect.arrayContaining(['VIEW_CHANNEL', 'SEND_MESSAGES']));
    dataOf(await request(veza.url, SendMessageDocument, { input: { channelId: secret.id, body: 'hi all' } }, bob.token));

    // Hide it from Bob with a member overwrite.
    const ow = dataOf(
      await request(veza.url, SetOverwriteDocument, { input: { channelId: secret.id, targetType: 'MEMBER', targetId: bob.id, deny: ['VIEW_CHANNEL'] } }, token),
    ).setChannelOverwrite;
    expect(ow.overwrites).toEqual([{ targetType: 'MEMBER', targetId: bob.id, allow: [], deny: ['VIEW_CHANNEL'] }]);

    // At once, in every subgraph that asks: community, and chat (send and read).
    expect(dataOf(await request(veza.url, ChannelAccessViewDocument, { id: secret.id }, bob.token)).channel).toBeNull();
    const view = dataOf(await request(veza.url, CommunityViewDocument, { id: community.id }, bob.token)).community;
    expect(view?.channels.map((c) => c.name)).toEqual(['general']);
    expect(codeOf(await request(veza.url, SendMessageDocument, { input: { channelId: secret.id, body: 'still here?' } }, bob.token))).toBe('NOT_FOUND');
    const page = await request(veza.url, ChannelPageDocument, { channelId: secret.id, first: 10 }, bob.token);
    expect(page.data?.channel ?? null).toBeNull();

    // Alice still sees Bob's earlier message; removing the overwrite gives Bob access back.
    const alicePage = dataOf(await request(veza.url, ChannelPageDocument, { channelId: secret.id, first: 10 }, token));
    expect(alicePage.channel?.messages.edges.map((e) => e.node.body)).toEqual(['hi all']);
    dataOf(await request(veza.url, DeleteOverwriteDocument, { channelId: secret.id, targetType: 'MEMBER', targetId: bob.id }, token));
    expect(dataOf(await request(veza.url, ChannelAccessViewDocument, { id: secret.id }, bob.token)).channel?.id).toBe(secret.id);

    // Every step is in the audit log, readable by Alice only.
    const log = dataOf(await request(veza.url, AuditLogDocument, { id: community.id }, token)).community?.auditLog.edges.map((e) => e.node.action);
    expect(log).toEqual(['OVERWRITE_DELETE', 'OVERWRITE_SET', 'MEMBER_ROLE_ADD', 'ROLE_CREATE', 'INVITE_CREATE', 'CHANNEL_CREATE']);
    expect(codeOf(await request(veza.url, AuditLogDocument, { id: community.id }, bob.token))).toBe('FORBIDDEN');
  });

  it('rotates refresh tokens and ends the session when a used one comes back', async () => {
    const carol = await signUpUser(veza.url, 'Carol');
    const first = dataOf(await request(veza.url, RefreshSessionDocument, { refreshToken: carol.refreshToken })).refreshSession;
    expect(first.user.id).toBe(carol.id);
    expect(first.refreshToken).not.toBe(carol.refreshToken);
    // Replaying the spent token is taken as theft: refused, and the whole session ends.
    expect(codeOf(await request(veza.url, RefreshSessionDocument, { refreshToken: carol.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await request(veza.url, RefreshSessionDocument, { refreshToken: first.refreshToken }))).toBe('UNAUTHENTICATED');
  });

  it('revokes a session: its refresh token no longer works, other sessions go on', async () => {
    const dan = await signUpUser(veza.url, 'Dan');
    const laptop = dataOf(await request(veza.url, SignInDocument, { input: { handle: dan.handle, password: 'a long passphrase' } })).signIn;
    const sessions = dataOf(await request(veza.url, MySessionsDocument, {}, laptop.accessToken)).mySessions;
    expect(sessions).toHaveLength(2);
    const phone = sessions.find((s) => !s.current)!;
    expect(dataOf(await request(veza.url, RevokeSessionDocument, { sessionId: phone.id }, laptop.accessToken)).revokeSession).toBe(true);
    expect(codeOf(await request(veza.url, RefreshSessionDocument, { refreshToken: dan.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(dataOf(await request(veza.url, MySessionsDocument, {}, laptop.accessToken)).mySessions.map((s) => s.current)).toEqual([true]);
  });
});
