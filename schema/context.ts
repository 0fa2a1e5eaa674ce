// What every resolver receives: the services and who is calling. Authentication happens once
// per request (over graphql-ws: once per operation); a bad token is remembered and reported by
// the first field that needs a caller, so public fields (signUp, logIn, candidateSession) still work.
import type { Actor, CandidateActor, OrgActor } from '../server/auth/actor.ts';
import type { Credential } from '../server/auth/revocations.ts';
import { requireScope, Scope } from '../server/auth/scopes.ts';
import { DomainError, ForbiddenError, UnauthenticatedError, ValidationError } from '../server/errors.ts';
import type { Services } from '../server/services/index.ts';

export interface Context {
  services: Services;
  actor: Actor | null;
  /** The verified bearer token behind `actor` (running subscriptions end when it is revoked). */
  credential: Credential | null;
  authError: DomainError | null;
  /** The graphql-ws connection's id (media signaling binds transports to it); null over HTTP. */
  peer: string | null;
}

export async function buildContext(services: Services, authorization: string | null | undefined): Promise<Context> {
  if (!authorization) return { services, actor: null, credential: null, authError: null, peer: null };
  try {
    return socketContext(services, await verifyBearer(services, authorization), null);
  } catch (error) {
    if (error instanceof DomainError) return { services, actor: null, credential: null, authError: error, peer: null };
    throw error;
  }
}

/** An operation on a graphql-ws connection, whose credential the socket has just re-verified. */
export function socketContext(services: Services, credential: Credential, peer: string | null): Context {
  return { services, actor: credential.actor, credential, authError: null, peer };
}

/** `Bearer <token>` (HTTP header or graphql-ws connection_init payload) to a verified credential. */
export async function verifyBearer(services: Services, authorization: string): Promise<Credential> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
  if (!bearer) throw new UnauthenticatedError('The authorization must be "Bearer <token>"');
  return services.accounts.verify(bearer);
}

export async function authenticate(services: Services, authorization: string): Promise<Actor> {
  return (await verifyBearer(services, authorization)).actor;
}

/**
 * The file routes (report PDFs, evidence snapshots): candidates as the routes allow, org callers
 * with the interviews:read scope (a review login: its own interview's); a room login is for its
 * room page, not for files.
 */
export async function authenticateForFiles(services: Services, authorization: string): Promise<Actor> {
  const actor = await authenticate(services, authorization);
  if (actor.kind === 'room') throw new ForbiddenError('A room login cannot download files: use a host login');
  if (actor.kind !== 'candidate') requireScope(actor, Scope.INTERVIEWS_READ);
  return actor;
}

/** The calling host, room login or API token (with `scope`, when the field needs one); candidates are refused. */
export function orgActor(ctx: Context, scope?: Scope): OrgActor {
  const actor = requireActor(ctx);
  if (actor.kind === 'candidate') throw new ForbiddenError('A candidate link cannot do this');
  if (scope) requireScope(actor, scope);
  return actor;
}

/** Verdicts and decisions: a review login on its own interview, or an org caller with interviews:write. */
export function reviewerActor(ctx: Context): OrgActor {
  const actor = orgActor(ctx);
  if (actor.kind !== 'review') requireScope(actor, Scope.INTERVIEWS_WRITE);
  return actor;
}

/** Media signaling: a candidate, or an org caller allowed into live rooms. */
export function mediaActor(ctx: Context): Actor {
  const actor = requireActor(ctx);
  if (actor.kind !== 'candidate') requireScope(actor, Scope.LIVE);
  return actor;
}

/** Media signaling lives on the graphql-ws connection: its transports close with it. */
export function mediaPeer(ctx: Context): string {
  if (!ctx.peer) throw new ValidationError('transport', 'Media signaling needs the graphql-ws connection (wss://…/graphql), not HTTP');
  return ctx.peer;
}

export function candidateActor(ctx: Context): CandidateActor {
  const actor = requireActor(ctx);
  if (actor.kind !== 'candidate') throw new ForbiddenError('Only a candidate link can do this');
  return actor;
}

/** The verified credential of the caller (what logOut voids). */
export function requireCredential(ctx: Context): Credential {
  if (ctx.credential) return ctx.credential;
  throw ctx.authError ?? new UnauthenticatedError('Authentication required: send "Authorization: Bearer <token>"');
}

/** Any authenticated caller (services decide what each kind may do). */
export function requireActor(ctx: Context): Actor {
  if (ctx.actor) return ctx.actor;
  throw ctx.authError ?? new UnauthenticatedError('Authentication required: send "Authorization: Bearer <token>"');
}
