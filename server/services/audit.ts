// The audit trail: who did what to which object. Entries join the caller's unit of work, so an
// action and its audit entry are committed together.
import type { EntityManager } from '@mikro-orm/postgresql';
import { actorId, type Actor } from '../auth/actor.ts';
import { AuditEntry } from '../db/entities.ts';
import { currentRequest } from '../request-context.ts';

export interface AuditTarget {
  type: string;
  id: string;
}

export function audit(em: EntityManager, actor: Actor | { kind: 'anonymous'; orgId?: string }, action: string, target?: AuditTarget, metadata?: Record<string, unknown>): void {
  em.create(AuditEntry, {
    org: actor.orgId ?? null,
    actorType: actor.kind,
    actorId: actor.kind === 'anonymous' ? null : actorId(actor),
    action,
    targetType: target?.type ?? null,
    targetId: target?.id ?? null,
    requestId: currentRequest()?.requestId ?? null,
    metadata: metadata ?? null,
  });
}
