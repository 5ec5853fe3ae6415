/** The audit log: written in the same transaction as the action it records. */
import type { EntityManager } from '../../../platform/db/orm.ts';
import { idCursor, toConnection, toPage, type Connection, type PageArgs } from '../../../platform/graphql/connection.ts';
import { badInput } from '../../../platform/errors.ts';
import { isUuid } from '../../../platform/ids.ts';
import { AuditEntry } from '../entities/index.ts';

export const AUDIT_ACTIONS = [
  'COMMUNITY_UPDATE', 'COMMUNITY_TRANSFER', 'CHANNEL_CREATE', 'CHANNEL_UPDATE', 'CHANNEL_DELETE', 'OVERWRITE_SET',
  'OVERWRITE_DELETE', 'ROLE_CREATE', 'ROLE_UPDATE', 'ROLE_DELETE', 'MEMBER_ROLE_ADD', 'MEMBER_ROLE_REMOVE', 'MEMBER_KICK',
  'MEMBER_BAN', 'MEMBER_UNBAN', 'MEMBER_TIMEOUT', 'INVITE_CREATE', 'INVITE_DELETE',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditRecord {
  communityId: string;
  actorId: string;
  action: AuditAction;
  targetType: 'COMMUNITY' | 'CHANNEL' | 'ROLE' | 'MEMBER' | 'INVITE';
  targetId: string | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  reason?: string | null;
}

export const MAX_REASON_LENGTH = 512;

export function checkReason(reason: string | null | undefined): string | null {
  const r = reason?.trim() || null;
  if (r && r.length > MAX_REASON_LENGTH) throw badInput(`A reason is at most ${MAX_REASON_LENGTH} characters.`, 'reason');
  return r;
}

/** Adds an entry to the unit of work of `tx` (flushed with the action itself). */
export function recordAudit(tx: EntityManager, r: AuditRecord): void {
  tx.create(AuditEntry, {
    community: r.communityId,
    actorId: r.actorId,
    action: r.action,
    targetType: r.targetType,
    targetId: r.targetId,
    before: r.before ?? null,
    after: r.after ?? null,
    reason: r.reason ?? null,
  });
}

export async function auditPage(
  em: EntityManager,
  communityId: string,
  filter: { action?: AuditAction | null; actorId?: string | null; targetId?: string | null },
  args: PageArgs,
): Promise<Connection<AuditEntry>> {
  const page = toPage(idCursor, args, 50);
  if (filter.actorId && !isUuid(filter.actorId)) return toConnection([], page, idCursor, (e: AuditEntry) => e.id);
  const rows = await em.find(
    AuditEntry,
    {
      community: communityId,
      ...(filter.action ? { action: filter.action } : {}),
      ...(filter.actorId ? { actorId: filter.actorId } : {}),
      ...(filter.targetId ? { targetId: filter.targetId } : {}),
      ...(page.after ? { id: { $lt: page.after } } : {}),
    },
    { orderBy: { id: 'desc' }, limit: page.limit },
  );
  return toConnection(rows, page, idCursor, (e) => e.id);
}
