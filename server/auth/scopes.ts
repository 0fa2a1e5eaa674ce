// What an org caller may do. A host login may do everything; an API token only what it was
// created with; a room login (from a `proctor room` link) reads and runs one interview's room; a
// review login (`proctor review`) reads one ended interview (its verdicts: schema/context.ts reviewerActor).
import { ForbiddenError } from '../errors.ts';
import type { OrgActor } from './actor.ts';

export const Scope = {
  /** Interviews, candidates, monitoring history, reports (and their PDFs and evidence snapshots). */
  INTERVIEWS_READ: 'interviews:read',
  /** Create interviews, invite candidates, start / end / archive interviews. */
  INTERVIEWS_WRITE: 'interviews:write',
  /** Watch live events, ping candidates, join the media room as the host. */
  LIVE: 'live',
  /** Org settings: retention, webhooks, API tokens. */
  ADMIN: 'admin',
} as const;
export type Scope = (typeof Scope)[keyof typeof Scope];
export const SCOPES: readonly Scope[] = Object.values(Scope);

/** What an ATS integration needs; new tokens get it unless created with other scopes, and tokens made before scopes existed have it. */
export const DEFAULT_API_TOKEN_SCOPES: readonly Scope[] = [Scope.INTERVIEWS_READ, Scope.INTERVIEWS_WRITE];

const ROOM_SCOPES: ReadonlySet<Scope> = new Set([Scope.INTERVIEWS_READ, Scope.LIVE]);

export function hasScope(actor: OrgActor, scope: Scope): boolean {
  switch (actor.kind) {
    case 'host':
      return true;
    case 'apiToken':
      return actor.scopes.includes(scope);
    case 'room':
      return ROOM_SCOPES.has(scope);
    case 'review':
      return scope === Scope.INTERVIEWS_READ;
  }
}

export function requireScope(actor: OrgActor, scope: Scope): void {
  if (hasScope(actor, scope)) return;
  if (actor.kind === 'room') throw new ForbiddenError('A room login can only watch and run its own interview: use a host login');
  if (actor.kind === 'review') throw new ForbiddenError('A review login can only read and review its own interview: use a host login');
  throw new ForbiddenError(`This API token lacks the ${scope} scope: create one with it, or use a host login`, { scope });
}
