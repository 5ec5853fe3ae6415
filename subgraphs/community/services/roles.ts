/**
 * Roles and the hierarchy: nobody manages a role at or above their own highest role,
 * and nobody grants a permission they do not have (unless they are an administrator).
 */
import type { EntityManager } from '../../../platform/db/orm.ts';
import { badInput, forbidden, notFound } from '../../../platform/errors.ts';
import { isUuid } from '../../../platform/ids.ts';
import { Member, MemberRole, Role } from '../entities/index.ts';
import { basePermissions } from '../permissions/compute.ts';
import { ALL_PERMISSIONS, toBits, toNames, type Permission } from '../permissions/flags.ts';
import { recordAudit } from './audit.ts';
import type { Authorizer, LoadedCommunity } from './authorization.ts';
import type { ChangeFeed } from './changes.ts';
import type { MemberFacts } from '../permissions/compute.ts';

const MAX_ROLES = 250;

function checkRoleName(raw: string): string {
  const name = raw.trim();
  if (name.length < 1 || name.length > 100) throw badInput('A role name is 1 to 100 characters.', 'name');
  if (name === '@everyone') throw badInput('That name is reserved.', 'name');
  return name;
}

function checkColor(color: number): number {
  if (!Number.isInteger(color) || color < 0 || color > 0xffffff) throw badInput('A colour is an RGB integer, 0 to 16777215.', 'color');
  return color;
}

function snapshot(r: Role): Record<string, unknown> {
  return { name: r.name, color: r.color, position: r.position, permissions: toNames(r.permissions), mentionable: r.mentionable };
}

export class RoleService {
  readonly #changes: ChangeFeed;

  constructor(changes: ChangeFeed) {
    this.#changes = changes;
  }

  async create(em: EntityManager, auth: Authorizer, viewerId: string | null, input: { communityId: string; name: string; permissions: Permission[]; color?: number | null; mentionable?: boolean | null }): Promise<Role> {
    const ctx = await auth.require(input.communityId, viewerId, 'MANAGE_ROLES');
    const name = checkRoleName(input.name);
    const permissions = toBits(input.permissions);
    this.#checkGrant(ctx.loaded, ctx.member, permissions);
    if (ctx.loaded.roles.length >= MAX_ROLES) throw badInput(`A community has at most ${MAX_ROLES} roles.`);
    const role = await em.transactional(async (tx) => {
      // New roles go just above @everyone; the others move up one.
      await tx.getConnection().execute('update community.roles set position = position + 1 where community_id = ? and position >= 1', [input.communityId], 'run', tx.getTransactionContext());
      const r = tx.create(Role, { community: input.communityId, name, color: checkColor(input.color ?? 0), position: 1, permissions, mentionable: input.mentionable ?? false });
      recordAudit(tx, { communityId: input.communityId, actorId: ctx.userId, action: 'ROLE_CREATE', targetType: 'ROLE', targetId: r.id, after: snapshot(r) });
      return r;
    });
    auth.forget(input.communityId);
    return role;
  }

  async update(
    em: EntityManager,
    auth: Authorizer,
    viewerId: string | null,
    input: { roleId: string; name?: string | null; permissions?: Permission[] | null; color?: number | null; mentionable?: boolean | null; position?: number | null },
  ): Promise<Role> {
    const role = await this.#find(em, input.roleId);
    const communityId = role.community.id;
    const ctx = await auth.require(communityId, viewerId, 'MANAGE_ROLES');
    const isEveryone = role.id === communityId;
    const mine = auth.highestPosition(ctx.loaded, ctx.member);
    if (!isEveryone && role.position >= mine) throw forbidden('You can only edit roles below your highest role.');
    const before = snapshot(role);
    if (input.name != null) {
      if (isEveryone) throw badInput('The @everyone role cannot be renamed.', 'name');
      role.name = checkRoleName(input.name);
    }
    if (input.color != null) role.color = checkColor(input.color);
    if (input.mentionable != null) role.mentionable = input.mentionable;
    let permissionsChanged = false;
    if (input.permissions != null) {
      const next = toBits(input.permissions);
      // Only the permissions being added need to be held by the actor.
      this.#checkGrant(ctx.loaded, ctx.member, next & ~role.permissions);
      permissionsChanged = next !== role.permissions;
      role.permissions = next;
    }
    let moved = false;
    if (input.position != null && input.position !== role.position) {
      if (isEveryone) throw badInput('The @everyone role always stays at position 0.', 'position');
      const top = ctx.loaded.roles.length - 1;
      if (!Number.isInteger(input.position) || input.position < 1 || input.position > top) throw badInput(`A position is 1 to ${top}.`, 'position');
      if (input.position >= mine) throw forbidden('You can only move a role below your highest role.');
      moved = true;
    }
    await em.transactional(async (tx) => {
      if (moved && input.position != null) {
        const from = role.position;
        const to = input.position;
        // Shift the roles between the old and new place by one, keeping positions dense.
        if (to > from) {
          await tx.getConnection().execute('update community.roles set position = position - 1 where community_id = ? and position > ? and position <= ?', [communityId, from, to], 'run', tx.getTransactionContext());
        } else {
          await tx.getConnection().execute('update community.roles set position = position + 1 where community_id = ? and position >= ? and position < ?', [communityId, to, from], 'run', tx.getTransactionContext());
        }
        role.position = to;
      }
      tx.persist(role);
      recordAudit(tx, { communityId, actorId: ctx.userId, action: 'ROLE_UPDATE', targetType: 'ROLE', targetId: role.id, before, after: snapshot(role) });
      if (permissionsChanged || moved) this.#changes.permissionsChanged(tx, communityId, 'role updated');
    });
    auth.forget(communityId);
    this.#changes.published();
    return role;
  }

  async delete(em: EntityManager, auth: Authorizer, viewerId: string | null, roleId: string): Promise<boolean> {
    const role = await this.#find(em, roleId);
    const communityId = role.community.id;
    if (role.id === communityId) throw badInput('The @everyone role cannot be deleted.', 'roleId');
    const ctx = await auth.require(communityId, viewerId, 'MANAGE_ROLES');
    if (role.position >= auth.highestPosition(ctx.loaded, ctx.member)) throw forbidden('You can only delete roles below your highest role.');
    await em.transactional(async (tx) => {
      await tx.nativeDelete(Role, { id: role.id });
      await tx.getConnection().execute('update community.roles set position = position - 1 where community_id = ? and position > ?', [communityId, role.position], 'run', tx.getTransactionContext());
      recordAudit(tx, { communityId, actorId: ctx.userId, action: 'ROLE_DELETE', targetType: 'ROLE', targetId: role.id, before: snapshot(role) });
      this.#changes.permissionsChanged(tx, communityId, 'role deleted');
    });
    auth.forget(communityId);
    this.#changes.published();
    return true;
  }

  async assign(em: EntityManager, auth: Authorizer, viewerId: string | null, communityId: string, userId: string, roleId: string, add: boolean): Promise<Member> {
    const ctx = await auth.require(communityId, viewerId, 'MANAGE_ROLES');
    const role = await this.#find(em, roleId);
    if (role.community.id !== communityId || role.id === communityId) throw badInput('That role cannot be given in this community.', 'roleId');
    if (role.position >= auth.highestPosition(ctx.loaded, ctx.member)) throw forbidden('You can only give or take roles below your highest role.');
    const member = isUuid(userId) ? await em.findOne(Member, { community: communityId, user: userId }) : null;
    if (!member) throw notFound('Member', userId);
    const exists = (await em.count(MemberRole, { community: communityId, user: userId, role: roleId })) > 0;
    if (add !== exists) {
      await em.transactional(async (tx) => {
        if (add) tx.create(MemberRole, { community: communityId, user: userId, role: roleId });
        else await tx.nativeDelete(MemberRole, { community: communityId, user: userId, role: roleId });
        recordAudit(tx, { communityId, actorId: ctx.userId, action: add ? 'MEMBER_ROLE_ADD' : 'MEMBER_ROLE_REMOVE', targetType: 'MEMBER', targetId: userId, after: { roleId, roleName: role.name } });
        this.#changes.permissionsChanged(tx, communityId, add ? 'role given' : 'role taken', { userId });
      });
      auth.forget(communityId);
      this.#changes.published();
    }
    return member;
  }

  #checkGrant(loaded: LoadedCommunity, member: MemberFacts, wanted: bigint): void {
    const own = basePermissions(member, loaded.facts);
    if (own === ALL_PERMISSIONS) return;
    if ((wanted & ~own) !== 0n) throw forbidden(`You cannot grant permissions you do not have: ${toNames(wanted & ~own).join(', ')}.`);
  }

  async #find(em: EntityManager, roleId: string): Promise<Role> {
    const role = isUuid(roleId) ? await em.findOne(Role, { id: roleId }) : null;
    if (!role) throw notFound('Role', roleId);
    return role;
  }
}
