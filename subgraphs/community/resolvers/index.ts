import { DateTimeScalar } from '../../../platform/graphql/scalars.ts';
import { isUuid } from '../../../platform/ids.ts';
import type { Resolvers } from '../generated/resolvers.ts';
import { auditPage } from '../services/audit.ts';
import { requireUser } from '../services/accounts.ts';
import { toNames } from '../permissions/flags.ts';

/** Thin resolvers: check input shape, call a service, map the result. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    me: (_, __, ctx) => (ctx.viewer.userId ? ctx.loaders.user.load(ctx.viewer.userId) : null),
    user: (_, { id }, ctx) => (isUuid(id) ? ctx.loaders.user.load(id) : null),
    userByHandle: (_, { handle }, ctx) => ctx.accounts.findUserByHandle(ctx.em, handle),
    community: (_, { id }, ctx) => ctx.communities.findVisible(ctx.auth, ctx.viewer.userId, id),
    myCommunities: (_, __, ctx) => ctx.communities.listForUser(ctx.em, ctx.viewer.userId),
    channel: (_, { id }, ctx) => ctx.channels.visible(ctx.em, ctx.auth, ctx.viewer.userId, id),
    invite: async (_, { code }, ctx) => {
      const invite = await ctx.invites.findUsable(ctx.em, code);
      if (!invite) return null;
      const community = invite.community.getEntity();
      return { code: invite.code, communityId: community.id, communityName: community.name, memberCount: await ctx.loaders.memberCount.load(community.id), expiresAt: invite.expiresAt ?? null };
    },
    mySessions: (_, __, ctx) => ctx.sessions.list(ctx.em, requireUser(ctx.viewer)),
    channelAccess: (_, { channelId, userId }, ctx) => ctx.channels.access(ctx.em, ctx.auth, channelId, userId),
    channelAccesses: (_, { checks }, ctx) => ctx.channels.accessMany(ctx.em, checks),
  },
  Mutation: {
    signUp: (_, { input }, ctx) => ctx.accounts.signUp(ctx.em, ctx.viewer, input),
    signIn: (_, { input }, ctx) => ctx.accounts.signIn(ctx.em, ctx.viewer, input),
    refreshSession: (_, { refreshToken }, ctx) => ctx.sessions.refresh(ctx.em, refreshToken),
    signOut: async (_, __, ctx) => {
      const userId = requireUser(ctx.viewer);
      return ctx.viewer.sessionId ? ctx.sessions.revoke(ctx.em, userId, ctx.viewer.sessionId, 'signed out') : false;
    },
    revokeSession: (_, { sessionId }, ctx) => ctx.sessions.revoke(ctx.em, requireUser(ctx.viewer), sessionId, 'revoked by user'),
    changePassword: async (_, { currentPassword, newPassword }, ctx) => {
      await ctx.accounts.changePassword(ctx.em, ctx.viewer, currentPassword, newPassword);
      return true;
    },
    updateProfile: (_, { input }, ctx) => ctx.accounts.updateProfile(ctx.em, ctx.viewer, input),
    requestAvatarUpload: (_, { contentType, byteSize }, ctx) => ctx.accounts.requestAvatarUpload(ctx.viewer, contentType, byteSize),
    setAvatar: (_, { uploadId }, ctx) => ctx.accounts.setAvatar(ctx.em, ctx.viewer, uploadId),
    createCommunity: (_, { input }, ctx) => ctx.communities.create(ctx.em, ctx.viewer.userId, input),
    updateCommunity: (_, { input }, ctx) => ctx.communities.update(ctx.em, ctx.auth, ctx.viewer.userId, input),
    deleteCommunity: (_, { communityId }, ctx) => ctx.communities.delete(ctx.em, ctx.auth, ctx.viewer.userId, communityId),
    transferCommunity: (_, { communityId, userId }, ctx) => ctx.communities.transfer(ctx.em, ctx.auth, ctx.viewer.userId, communityId, userId),
    leaveCommunity: (_, { communityId }, ctx) => ctx.communities.leave(ctx.em, ctx.auth, ctx.viewer.userId, communityId),
    createChannel: (_, { input }, ctx) =>
      ctx.channels.create(ctx.em, ctx.auth, ctx.viewer.userId, { ...input, type: input.type ?? 'TEXT' }),
    updateChannel: (_, { input }, ctx) => ctx.channels.update(ctx.em, ctx.auth, ctx.viewer.userId, input),
    deleteChannel: (_, { channelId }, ctx) => ctx.channels.delete(ctx.em, ctx.auth, ctx.viewer.userId, channelId),
    setChannelOverwrite: (_, { input }, ctx) =>
      ctx.channels.setOverwrite(ctx.em, ctx.auth, ctx.viewer.userId, { ...input, allow: input.allow ?? [], deny: input.deny ?? [] }),
    deleteChannelOverwrite: (_, { channelId, targetType, targetId }, ctx) =>
      ctx.channels.deleteOverwrite(ctx.em, ctx.auth, ctx.viewer.userId, channelId, targetType, targetId),
    createRole: (_, { input }, ctx) => ctx.roles.create(ctx.em, ctx.auth, ctx.viewer.userId, { ...input, permissions: input.permissions ?? [] }),
    updateRole: (_, { input }, ctx) => ctx.roles.update(ctx.em, ctx.auth, ctx.viewer.userId, input),
    deleteRole: (_, { roleId }, ctx) => ctx.roles.delete(ctx.em, ctx.auth, ctx.viewer.userId, roleId),
    addMemberRole: (_, { communityId, userId, roleId }, ctx) => ctx.roles.assign(ctx.em, ctx.auth, ctx.viewer.userId, communityId, userId, roleId, true),
    removeMemberRole: (_, { communityId, userId, roleId }, ctx) => ctx.roles.assign(ctx.em, ctx.auth, ctx.viewer.userId, communityId, userId, roleId, false),
    createInvite: (_, { input }, ctx) => ctx.invites.create(ctx.em, ctx.auth, ctx.viewer.userId, input),
    revokeInvite: (_, { code }, ctx) => ctx.invites.revoke(ctx.em, ctx.auth, ctx.viewer.userId, code),
    joinCommunity: (_, { code }, ctx) => ctx.invites.join(ctx.em, ctx.viewer.userId, code),
    kickMember: (_, { input }, ctx) => ctx.moderation.kick(ctx.em, ctx.auth, ctx.viewer.userId, input),
    banMember: (_, { input, deleteMessageSeconds }, ctx) => ctx.moderation.ban(ctx.em, ctx.auth, ctx.viewer.userId, input, deleteMessageSeconds ?? 0),
    unbanMember: (_, { input }, ctx) => ctx.moderation.unban(ctx.em, ctx.auth, ctx.viewer.userId, input),
    timeoutMember: (_, { input, until }, ctx) => ctx.moderation.timeout(ctx.em, ctx.auth, ctx.viewer.userId, input, until ?? null),
  },
  AuthPayload: {
    user: (issued) => issued.user,
  },
  User: {
    __resolveReference: (ref, ctx) => ctx.loaders.user.load(ref.id),
    avatarUrl: (user, _, ctx) => ctx.accounts.avatarUrl(user),
  },
  Community: {
    __resolveReference: (ref, ctx) => ctx.communities.findVisible(ctx.auth, ctx.viewer.userId, ref.id),
    owner: async (community, _, ctx) => (await ctx.loaders.user.load(community.owner.id))!,
    channels: (community, _, ctx) => ctx.communities.visibleChannels(ctx.em, ctx.auth, ctx.viewer.userId, community.id),
    roles: async (community, _, ctx) => (await ctx.auth.community(community.id))?.roles ?? [],
    members: (community, args, ctx) => ctx.communities.members(ctx.em, ctx.auth, ctx.viewer.userId, community.id, args),
    memberCount: (community, _, ctx) => ctx.loaders.memberCount.load(community.id),
    viewerIsMember: (community, _, ctx) => ctx.communities.isMember(ctx.auth, community.id, ctx.viewer.userId),
    myPermissions: async (community, _, ctx) => toNames(await ctx.auth.base(community.id, ctx.viewer.userId)),
    auditLog: async (community, args, ctx) => {
      await ctx.auth.require(community.id, ctx.viewer.userId, 'VIEW_AUDIT_LOG');
      return auditPage(ctx.em, community.id, args, args);
    },
    invites: (community, _, ctx) => ctx.invites.list(ctx.em, ctx.auth, ctx.viewer.userId, community.id),
    bans: (community, args, ctx) => ctx.moderation.bans(ctx.em, ctx.auth, ctx.viewer.userId, community.id, args),
  },
  Member: {
    user: async (member, _, ctx) => (await ctx.loaders.user.load(member.user.id))!,
    roles: async (member, _, ctx) => {
      const [ids, loaded] = await Promise.all([
        ctx.loaders.memberRoleIds.load(`${member.community.id}:${member.user.id}`),
        ctx.auth.community(member.community.id),
      ]);
      return (loaded?.roles ?? []).filter((r) => ids.includes(r.id));
    },
    timedOutUntil: (member) => (member.timedOutUntil && member.timedOutUntil > new Date() ? member.timedOutUntil : null),
  },
  Role: {
    permissions: (role) => toNames(role.permissions),
    isEveryone: (role) => role.id === role.community.id,
  },
  Channel: {
    __resolveReference: (ref, ctx) => ctx.channels.visible(ctx.em, ctx.auth, ctx.viewer.userId, ref.id),
    parent: (channel, _, ctx) => (channel.parentId ? ctx.loaders.channel.load(channel.parentId) : null),
    overwrites: async (channel, _, ctx) => {
      await ctx.auth.requireInChannel(channel, ctx.viewer.userId, 'MANAGE_CHANNELS');
      return ctx.auth.overwritesFor(channel);
    },
    myPermissions: async (channel, _, ctx) => toNames(await ctx.auth.inChannel(channel, ctx.viewer.userId)),
    community: async (channel, _, ctx) => (await ctx.loaders.community.load(channel.community.id))!,
  },
  PermissionOverwrite: {
    allow: (o) => toNames(o.allow),
    deny: (o) => toNames(o.deny),
  },
  Invite: {
    community: async (invite, _, ctx) => (await ctx.loaders.community.load(invite.community.id))!,
    inviter: async (invite, _, ctx) => (await ctx.loaders.user.load(invite.inviter.id))!,
  },
  Ban: {
    user: async (ban, _, ctx) => (await ctx.loaders.user.load(ban.user.id))!,
  },
  AuditEntry: {
    actor: async (entry, _, ctx) => (await ctx.loaders.user.load(entry.actorId))!,
    action: (entry) => entry.action as never,
    before: (entry) => (entry.before ? JSON.stringify(entry.before) : null),
    after: (entry) => (entry.after ? JSON.stringify(entry.after) : null),
  },
  Session: {
    current: (session, _, ctx) => session.id === ctx.viewer.sessionId,
  },
};

