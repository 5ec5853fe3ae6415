/** Invite links: created with an optional expiry and use limit, redeemed atomically. */
import { randomInt } from 'node:crypto';
import type { EntityManager } from '../../../platform/db/orm.ts';
import { badInput, forbidden, notFound, unauthenticated } from '../../../platform/errors.ts';
import { Ban, Community, Invite, Member } from '../entities/index.ts';
import { P } from '../permissions/flags.ts';
import { basePermissions } from '../permissions/compute.ts';
import { recordAudit } from './audit.ts';
import type { Authorizer } from './authorization.ts';
import type { ChangeFeed } from './changes.ts';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
const CODE_LENGTH = 10;
const CODE = /^[A-Za-z0-9]{4,16}$/;

function newCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}

export class InviteService {
  readonly #changes: ChangeFeed;

  constructor(changes: ChangeFeed) {
    this.#changes = changes;
  }

  async create(em: EntityManager, auth: Authorizer, viewerId: string | null, input: { communityId: string; maxUses?: number | null; expiresInSeconds?: number | null }): Promise<Invite> {
    const { userId } = await auth.require(input.communityId, viewerId, 'CREATE_INVITE');
    if (input.maxUses != null && (!Number.isInteger(input.maxUses) || input.maxUses < 1 || input.maxUses > 1000)) throw badInput('An invite allows 1 to 1,000 uses.', 'maxUses');
    if (input.expiresInSeconds != null && (!Number.isInteger(input.expiresInSeconds) || input.expiresInSeconds < 60 || input.expiresInSeconds > 30 * 24 * 3600)) {
      throw badInput('An invite lasts 60 seconds to 30 days.', 'expiresInSeconds');
    }
    return em.transactional(async (tx) => {
      const invite = tx.create(Invite, {
        code: newCode(), community: input.communityId, inviter: userId, maxUses: input.maxUses ?? null, uses: 0,
        expiresAt: input.expiresInSeconds != null ? new Date(Date.now() + input.expiresInSeconds * 1000) : null, revokedAt: null,
      });
      recordAudit(tx, { communityId: input.communityId, actorId: userId, action: 'INVITE_CREATE', targetType: 'INVITE', targetId: invite.code, after: { maxUses: invite.maxUses, expiresAt: invite.expiresAt?.toISOString() ?? null } });
      return invite;
    });
  }

  /** A usable invite by code, or null (unknown, revoked, expired or used up). */
  async findUsable(em: EntityManager, code: string): Promise<Invite | null> {
    if (!CODE.test(code)) return null;
    const invite = await em.findOne(Invite, { code }, { populate: ['community'] });
    return invite && usable(invite) ? invite : null;
  }

  async revoke(em: EntityManager, auth: Authorizer, viewerId: string | null, code: string): Promise<boolean> {
    if (!viewerId) throw unauthenticated();
    const invite = CODE.test(code) ? await em.findOne(Invite, { code, revokedAt: null }) : null;
    if (!invite) throw notFound('Invite', code);
    const communityId = invite.community.id;
    const { loaded, member } = await auth.requireMember(communityId, viewerId);
    if (invite.inviter.id !== viewerId && (basePermissions(member, loaded.facts) & P.MANAGE_COMMUNITY) === 0n) {
      throw forbidden('Only its creator or someone with MANAGE_COMMUNITY can revoke an invite.');
    }
    await em.transactional(async (tx) => {
      await tx.nativeUpdate(Invite, { code }, { revokedAt: new Date() });
      recordAudit(tx, { communityId, actorId: viewerId, action: 'INVITE_DELETE', targetType: 'INVITE', targetId: code });
    });
    return true;
  }

  /** Joins with an invite: one use is taken atomically, so a limit is never exceeded. */
  async join(em: EntityManager, viewerId: string | null, code: string): Promise<Community> {
    if (!viewerId) throw unauthenticated();
    if (!CODE.test(code)) throw notFound('Invite', code);
    const invite = await em.findOne(Invite, { code });
    if (!invite) throw notFound('Invite', code);
    if (invite.revokedAt) throw badInput('This invite was revoked.', 'code');
    if (invite.expiresAt && invite.expiresAt <= new Date()) throw badInput('This invite has expired.', 'code');
    const communityId = invite.community.id;
    if ((await em.count(Member, { community: communityId, user: viewerId })) > 0) return em.findOneOrFail(Community, { id: communityId });
    if ((await em.count(Ban, { community: communityId, user: viewerId })) > 0) throw forbidden('You are banned from this community.');
    await em.transactional(async (tx) => {
      const taken = await tx.getConnection().execute<{ code: string }[]>(
        `update community.invites set uses = uses + 1
          where code = ? and revoked_at is null and (expires_at is null or expires_at > now()) and (max_uses is null or uses < max_uses)
          returning code`,
        [code], 'all', tx.getTransactionContext(),
      );
      if (taken.length === 0) throw badInput('This invite has been used up.', 'code');
      await tx.getConnection().execute(
        'insert into community.members (community_id, user_id, joined_at) values (?, ?, now()) on conflict do nothing',
        [communityId, viewerId], 'run', tx.getTransactionContext(),
      );
      this.#changes.permissionsChanged(tx, communityId, 'member joined', { userId: viewerId });
    });
    this.#changes.published();
    return em.findOneOrFail(Community, { id: communityId });
  }

  async list(em: EntityManager, auth: Authorizer, viewerId: string | null, communityId: string): Promise<Invite[]> {
    await auth.require(communityId, viewerId, 'MANAGE_COMMUNITY');
    const invites = await em.find(Invite, { community: communityId, revokedAt: null }, { orderBy: { createdAt: 'desc' } });
    return invites.filter(usable);
  }
}

function usable(invite: Invite): boolean {
  return !invite.revokedAt && (!invite.expiresAt || invite.expiresAt > new Date()) && (invite.maxUses == null || invite.uses < invite.maxUses);
}
