/**
 * Effective permissions, computed the way Discord documents it:
 *
 * 1. Base: the owner has everything. Otherwise @everyone's permissions OR the member's
 *    roles'. ADMINISTRATOR in the result means everything, and bypasses overwrites.
 * 2. Channel overwrites, in order: @everyone's (deny, then allow); all of the member's
 *    roles' together (deny, then allow); the member's own (deny, then allow). A channel
 *    synced with its category uses the category's overwrites.
 * 3. Implicit rules: a timed-out member keeps only VIEW_CHANNEL and READ_MESSAGE_HISTORY;
 *    without SEND_MESSAGES there is no MENTION_EVERYONE or ATTACH_FILES; without CONNECT
 *    there is no SPEAK or MUTE_MEMBERS; without VIEW_CHANNEL there is nothing at all.
 *
 * Pure functions: no database, so the precedence rules are tested exhaustively by table.
 */
import { ALL_PERMISSIONS, CHANNEL_PERMISSIONS, P, TIMEOUT_ALLOWED } from './flags.ts';

export interface MemberFacts {
  userId: string;
  isOwner: boolean;
  /** Ids of the member's roles (without @everyone). */
  roleIds: readonly string[];
  /** End of a timeout, if any. */
  timedOutUntil: Date | null;
}

export interface RoleFacts {
  id: string;
  permissions: bigint;
}

export interface Overwrite {
  targetType: 'ROLE' | 'MEMBER';
  targetId: string;
  allow: bigint;
  deny: bigint;
}

export interface ChannelFacts {
  /** The overwrites that apply (the category's when the channel is synced with it). */
  overwrites: readonly Overwrite[];
}

export interface CommunityFacts {
  /** The @everyone role (its id is the community's id). */
  everyone: RoleFacts;
  /** Every role of the community, by id. */
  roles: ReadonlyMap<string, RoleFacts>;
}

/** Community-wide permissions of a member (no channel). */
export function basePermissions(member: MemberFacts, community: CommunityFacts, now = new Date()): bigint {
  if (member.isOwner) return ALL_PERMISSIONS;
  let bits = community.everyone.permissions;
  for (const id of member.roleIds) bits |= community.roles.get(id)?.permissions ?? 0n;
  if ((bits & P.ADMINISTRATOR) !== 0n) return ALL_PERMISSIONS;
  return applyTimeout(bits, member, now);
}

/** Permissions of a member in one channel. */
export function channelPermissions(member: MemberFacts, community: CommunityFacts, channel: ChannelFacts, now = new Date()): bigint {
  const base = basePermissions(member, community, now);
  if (base === ALL_PERMISSIONS) return ALL_PERMISSIONS;
  // Community-level permissions (KICK_MEMBERS...) come from the base; overwrites touch channel ones.
  let bits = base;
  const everyone = channel.overwrites.find((o) => o.targetType === 'ROLE' && o.targetId === community.everyone.id);
  if (everyone) bits = (bits & ~everyone.deny) | everyone.allow;
  let roleAllow = 0n;
  let roleDeny = 0n;
  for (const o of channel.overwrites) {
    if (o.targetType === 'ROLE' && o.targetId !== community.everyone.id && member.roleIds.includes(o.targetId)) {
      roleAllow |= o.allow;
      roleDeny |= o.deny;
    }
  }
  bits = (bits & ~roleDeny) | roleAllow;
  const own = channel.overwrites.find((o) => o.targetType === 'MEMBER' && o.targetId === member.userId);
  if (own) bits = (bits & ~own.deny) | own.allow;
  bits = applyTimeout(bits, member, now);
  return applyImplicit(bits);
}

function applyTimeout(bits: bigint, member: MemberFacts, now: Date): bigint {
  return member.timedOutUntil && member.timedOutUntil > now ? bits & TIMEOUT_ALLOWED : bits;
}

function applyImplicit(bits: bigint): bigint {
  if ((bits & P.VIEW_CHANNEL) === 0n) return 0n;
  if ((bits & P.SEND_MESSAGES) === 0n) bits &= ~(P.MENTION_EVERYONE | P.ATTACH_FILES);
  if ((bits & P.CONNECT) === 0n) bits &= ~(P.SPEAK | P.MUTE_MEMBERS);
  return bits;
}

/** True when `bits` contains only permissions that may appear in a channel overwrite. */
export function isChannelPermissionSet(bits: bigint): boolean {
  return (bits & ~CHANNEL_PERMISSIONS) === 0n;
}
