/**
 * The permission bitfield. Each permission is one bit of a 64-bit integer (stored as
 * PostgreSQL `bigint`, handled as JavaScript `bigint`). Bit positions are part of the
 * stored data: append new permissions, never renumber.
 */
export const PERMISSIONS = [
  'VIEW_CHANNEL',
  'SEND_MESSAGES',
  'READ_MESSAGE_HISTORY',
  'ADD_REACTIONS',
  'ATTACH_FILES',
  'MENTION_EVERYONE',
  'CREATE_THREADS',
  'SEND_MESSAGES_IN_THREADS',
  'MANAGE_MESSAGES',
  'MANAGE_THREADS',
  'MANAGE_CHANNELS',
  'MANAGE_ROLES',
  'MANAGE_COMMUNITY',
  'CREATE_INVITE',
  'KICK_MEMBERS',
  'BAN_MEMBERS',
  'MODERATE_MEMBERS',
  'VIEW_AUDIT_LOG',
  'CONNECT',
  'SPEAK',
  'MUTE_MEMBERS',
  'ADMINISTRATOR',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export const P = Object.fromEntries(PERMISSIONS.map((name, i) => [name, 1n << BigInt(i)])) as Record<Permission, bigint>;

export const ALL_PERMISSIONS = PERMISSIONS.reduce((bits, name) => bits | P[name], 0n);

/** Permissions that make sense on a channel, and so may appear in its overwrites. */
export const CHANNEL_PERMISSIONS =
  P.VIEW_CHANNEL | P.SEND_MESSAGES | P.READ_MESSAGE_HISTORY | P.ADD_REACTIONS | P.ATTACH_FILES | P.MENTION_EVERYONE |
  P.CREATE_THREADS | P.SEND_MESSAGES_IN_THREADS | P.MANAGE_MESSAGES | P.MANAGE_THREADS | P.MANAGE_CHANNELS |
  P.MANAGE_ROLES | P.CREATE_INVITE | P.CONNECT | P.SPEAK | P.MUTE_MEMBERS;

/** What a timed-out member keeps: they may still read, never write. */
export const TIMEOUT_ALLOWED = P.VIEW_CHANNEL | P.READ_MESSAGE_HISTORY;

/** What @everyone may do in a new community. */
export const DEFAULT_EVERYONE =
  P.VIEW_CHANNEL | P.SEND_MESSAGES | P.READ_MESSAGE_HISTORY | P.ADD_REACTIONS | P.ATTACH_FILES | P.CREATE_THREADS |
  P.SEND_MESSAGES_IN_THREADS | P.CREATE_INVITE | P.CONNECT | P.SPEAK;

export function toBits(names: readonly Permission[]): bigint {
  return names.reduce((bits, name) => bits | P[name], 0n);
}

export function toNames(bits: bigint): Permission[] {
  return PERMISSIONS.filter((name) => (bits & P[name]) !== 0n);
}

export function has(bits: bigint, permission: Permission): boolean {
  return (bits & P[permission]) === P[permission];
}
