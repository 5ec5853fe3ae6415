/**
 * Overwrite precedence, case by case, as Discord documents it. Each row names the rule
 * it checks; `expect` lists permissions that must be present, `absent` ones that must not.
 */
import { describe, expect, it } from 'vitest';
import { channelPermissions, basePermissions, type MemberFacts, type CommunityFacts, type Overwrite } from './compute.ts';
import { ALL_PERMISSIONS, DEFAULT_EVERYONE, P, toBits, type Permission } from './flags.ts';

const COMMUNITY = 'community-1';
const MODS = 'role-mods';
const MUTED = 'role-muted';
const ADMINS = 'role-admins';
const DJS = 'role-djs';

const community: CommunityFacts = {
  everyone: { id: COMMUNITY, permissions: DEFAULT_EVERYONE },
  roles: new Map([
    [MODS, { id: MODS, permissions: toBits(['MANAGE_MESSAGES', 'KICK_MEMBERS', 'MODERATE_MEMBERS', 'VIEW_AUDIT_LOG']) }],
    [MUTED, { id: MUTED, permissions: 0n }],
    [ADMINS, { id: ADMINS, permissions: P.ADMINISTRATOR }],
    [DJS, { id: DJS, permissions: toBits(['MUTE_MEMBERS']) }],
  ]),
};

const NOW = new Date('2026-11-24T12:00:00Z');
const LATER = new Date('2026-11-24T13:00:00Z');
const EARLIER = new Date('2026-11-24T11:00:00Z');

function member(over: Partial<MemberFacts> = {}): MemberFacts {
  return { userId: 'user-1', isOwner: false, roleIds: [], timedOutUntil: null, ...over };
}
const ow = (targetType: 'ROLE' | 'MEMBER', targetId: string, allow: Permission[], deny: Permission[]): Overwrite => ({
  targetType, targetId, allow: toBits(allow), deny: toBits(deny),
});
const everyoneOw = (allow: Permission[], deny: Permission[]) => ow('ROLE', COMMUNITY, allow, deny);

interface Case {
  rule: string;
  member: MemberFacts;
  overwrites: Overwrite[];
  expect: Permission[];
  absent: Permission[];
}

const cases: Case[] = [
  { rule: 'a plain member has @everyone permissions', member: member(), overwrites: [], expect: ['VIEW_CHANNEL', 'SEND_MESSAGES'], absent: ['MANAGE_MESSAGES'] },
  { rule: "roles add to @everyone's permissions", member: member({ roleIds: [MODS] }), overwrites: [], expect: ['SEND_MESSAGES', 'MANAGE_MESSAGES', 'KICK_MEMBERS'], absent: ['BAN_MEMBERS'] },
  { rule: 'the owner has everything', member: member({ isOwner: true }), overwrites: [everyoneOw([], ['VIEW_CHANNEL'])], expect: ['ADMINISTRATOR', 'VIEW_CHANNEL', 'BAN_MEMBERS'], absent: [] },
  { rule: 'the owner ignores a member overwrite that denies them', member: member({ isOwner: true }), overwrites: [ow('MEMBER', 'user-1', [], ['VIEW_CHANNEL', 'SEND_MESSAGES'])], expect: ['VIEW_CHANNEL', 'SEND_MESSAGES'], absent: [] },
  { rule: 'ADMINISTRATOR grants everything', member: member({ roleIds: [ADMINS] }), overwrites: [], expect: ['BAN_MEMBERS', 'MANAGE_ROLES', 'VIEW_AUDIT_LOG'], absent: [] },
  { rule: 'ADMINISTRATOR bypasses @everyone overwrites', member: member({ roleIds: [ADMINS] }), overwrites: [everyoneOw([], ['VIEW_CHANNEL'])], expect: ['VIEW_CHANNEL'], absent: [] },
  { rule: 'ADMINISTRATOR bypasses member overwrites', member: member({ roleIds: [ADMINS] }), overwrites: [ow('MEMBER', 'user-1', [], ['SEND_MESSAGES'])], expect: ['SEND_MESSAGES'], absent: [] },
  { rule: 'ADMINISTRATOR is not limited by a timeout', member: member({ roleIds: [ADMINS], timedOutUntil: LATER }), overwrites: [], expect: ['SEND_MESSAGES'], absent: [] },
  { rule: 'an @everyone deny removes a base permission', member: member(), overwrites: [everyoneOw([], ['SEND_MESSAGES'])], expect: ['VIEW_CHANNEL'], absent: ['SEND_MESSAGES'] },
  { rule: 'an @everyone allow adds a permission', member: member(), overwrites: [everyoneOw(['MENTION_EVERYONE'], [])], expect: ['MENTION_EVERYONE'], absent: [] },
  { rule: 'a role allow beats an @everyone deny', member: member({ roleIds: [MODS] }), overwrites: [everyoneOw([], ['SEND_MESSAGES']), ow('ROLE', MODS, ['SEND_MESSAGES'], [])], expect: ['SEND_MESSAGES'], absent: [] },
  { rule: 'a role deny beats an @everyone allow', member: member({ roleIds: [MUTED] }), overwrites: [everyoneOw(['ADD_REACTIONS'], []), ow('ROLE', MUTED, [], ['ADD_REACTIONS'])], expect: [], absent: ['ADD_REACTIONS'] },
  { rule: "between roles, allow wins over another role's deny", member: member({ roleIds: [MODS, MUTED] }), overwrites: [ow('ROLE', MUTED, [], ['SEND_MESSAGES']), ow('ROLE', MODS, ['SEND_MESSAGES'], [])], expect: ['SEND_MESSAGES'], absent: [] },
  { rule: "an overwrite for a role the member lacks does not apply", member: member(), overwrites: [ow('ROLE', MODS, [], ['VIEW_CHANNEL'])], expect: ['VIEW_CHANNEL'], absent: [] },
  { rule: 'a member allow beats a role deny', member: member({ roleIds: [MUTED] }), overwrites: [ow('ROLE', MUTED, [], ['SEND_MESSAGES']), ow('MEMBER', 'user-1', ['SEND_MESSAGES'], [])], expect: ['SEND_MESSAGES'], absent: [] },
  { rule: 'a member deny beats a role allow', member: member({ roleIds: [MODS] }), overwrites: [ow('ROLE', MODS, ['ATTACH_FILES'], []), ow('MEMBER', 'user-1', [], ['ATTACH_FILES'])], expect: ['SEND_MESSAGES'], absent: ['ATTACH_FILES'] },
  { rule: "another member's overwrite does not apply", member: member(), overwrites: [ow('MEMBER', 'user-2', [], ['VIEW_CHANNEL'])], expect: ['VIEW_CHANNEL'], absent: [] },
  { rule: 'without VIEW_CHANNEL a member has nothing in the channel', member: member({ roleIds: [MODS] }), overwrites: [everyoneOw([], ['VIEW_CHANNEL'])], expect: [], absent: ['SEND_MESSAGES', 'MANAGE_MESSAGES', 'KICK_MEMBERS', 'READ_MESSAGE_HISTORY'] },
  { rule: 'a hidden channel can be shown to one role', member: member({ roleIds: [MODS] }), overwrites: [everyoneOw([], ['VIEW_CHANNEL']), ow('ROLE', MODS, ['VIEW_CHANNEL'], [])], expect: ['VIEW_CHANNEL', 'SEND_MESSAGES'], absent: [] },
  { rule: 'a hidden channel can be shown to one member', member: member(), overwrites: [everyoneOw([], ['VIEW_CHANNEL']), ow('MEMBER', 'user-1', ['VIEW_CHANNEL'], [])], expect: ['VIEW_CHANNEL'], absent: [] },
  { rule: 'a timed-out member keeps only view and history', member: member({ timedOutUntil: LATER }), overwrites: [], expect: ['VIEW_CHANNEL', 'READ_MESSAGE_HISTORY'], absent: ['SEND_MESSAGES', 'ADD_REACTIONS', 'CONNECT', 'CREATE_INVITE'] },
  { rule: 'a timeout beats a member allow overwrite', member: member({ timedOutUntil: LATER }), overwrites: [ow('MEMBER', 'user-1', ['SEND_MESSAGES'], [])], expect: ['VIEW_CHANNEL'], absent: ['SEND_MESSAGES'] },
  { rule: 'an expired timeout no longer applies', member: member({ timedOutUntil: EARLIER }), overwrites: [], expect: ['SEND_MESSAGES'], absent: [] },
  { rule: 'a timed-out moderator loses moderation too', member: member({ roleIds: [MODS], timedOutUntil: LATER }), overwrites: [], expect: ['VIEW_CHANNEL'], absent: ['MANAGE_MESSAGES', 'KICK_MEMBERS'] },
  { rule: 'without SEND_MESSAGES there is no MENTION_EVERYONE or ATTACH_FILES', member: member(), overwrites: [everyoneOw(['MENTION_EVERYONE'], ['SEND_MESSAGES'])], expect: ['VIEW_CHANNEL'], absent: ['MENTION_EVERYONE', 'ATTACH_FILES'] },
  { rule: 'without CONNECT there is no SPEAK or MUTE_MEMBERS', member: member({ roleIds: [DJS] }), overwrites: [everyoneOw([], ['CONNECT'])], expect: ['VIEW_CHANNEL'], absent: ['SPEAK', 'MUTE_MEMBERS'] },
  { rule: 'community-level permissions survive channel overwrites', member: member({ roleIds: [MODS] }), overwrites: [everyoneOw([], ['SEND_MESSAGES'])], expect: ['KICK_MEMBERS', 'VIEW_AUDIT_LOG'], absent: ['SEND_MESSAGES'] },
  { rule: 'a member allow after a member deny of another permission keeps both effects', member: member(), overwrites: [ow('MEMBER', 'user-1', ['MANAGE_THREADS'], ['ADD_REACTIONS'])], expect: ['MANAGE_THREADS', 'SEND_MESSAGES'], absent: ['ADD_REACTIONS'] },
];

describe('channel permissions (overwrite precedence)', () => {
  it('covers at least 25 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it.each(cases)('$rule', (c) => {
    const bits = channelPermissions(c.member, community, { overwrites: c.overwrites }, NOW);
    for (const p of c.expect) expect(bits & P[p], `expected ${p}`).toBe(P[p]);
    for (const p of c.absent) expect(bits & P[p], `expected no ${p}`).toBe(0n);
  });
});

describe('category-synced channels', () => {
  // The service passes the category's overwrites for a synced channel; these cases check
  // that the category's rules then hold in the channel exactly as in the category.
  const category: Overwrite[] = [everyoneOw([], ['VIEW_CHANNEL']), ow('ROLE', MODS, ['VIEW_CHANNEL'], [])];

  it('hides a synced channel from members the category hides it from', () => {
    expect(channelPermissions(member(), community, { overwrites: category }, NOW)).toBe(0n);
  });

  it('shows a synced channel to the role the category shows it to', () => {
    expect(channelPermissions(member({ roleIds: [MODS] }), community, { overwrites: category }, NOW) & P.VIEW_CHANNEL).toBe(P.VIEW_CHANNEL);
  });
});

describe('community-wide permissions', () => {
  it('is everything for the owner and for administrators', () => {
    expect(basePermissions(member({ isOwner: true }), community, NOW)).toBe(ALL_PERMISSIONS);
    expect(basePermissions(member({ roleIds: [ADMINS] }), community, NOW)).toBe(ALL_PERMISSIONS);
  });

  it('ignores roles that do not exist (deleted)', () => {
    expect(basePermissions(member({ roleIds: ['gone'] }), community, NOW)).toBe(DEFAULT_EVERYONE);
  });
});
