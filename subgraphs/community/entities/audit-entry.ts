import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../../platform/ids.ts';
import { Community } from './community.ts';

/** One administrative or moderation action: who, what, on what, before and after, why. */
export const AuditEntrySchema = defineEntity({
  name: 'AuditEntry',
  tableName: 'audit_entries',
  properties: {
    id: p.uuid().primary().onCreate(() => newId()),
    community: () => p.manyToOne(Community).ref().deleteRule('cascade'),
    actorId: p.uuid(),
    action: p.string().length(48),
    targetType: p.string().length(24),
    targetId: p.string().length(64).nullable(),
    before: p.json<Record<string, unknown>>().nullable(),
    after: p.json<Record<string, unknown>>().nullable(),
    reason: p.string().length(512).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  indexes: [{ name: 'audit_entries_community_id_index', properties: ['community', 'id'] }],
});
export class AuditEntry extends AuditEntrySchema.class {}
AuditEntrySchema.setClass(AuditEntry);
