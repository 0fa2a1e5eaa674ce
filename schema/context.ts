// What every resolver receives: the services and who is calling. Authentication happens once
// per request; a bad token is remembered and reported by the first field that needs a caller,
// so public fields (signUp, logIn, candidateSession) still work.
import type { Actor, CandidateActor, OrgActor } from '../server/auth/actor.ts';
import { DomainError, ForbiddenError, UnauthenticatedError, ValidationError } from '../server/errors.ts';
import type { Services } from '../server/services/index.ts';

export interface Context {
  services: Services;
  actor: Actor | null;
  authError: DomainError | null;
  /** The graphql-ws connection's id (media signaling binds transports to it); null over HTTP. */
  peer: string | null;
}

export async function buildContext(services: Services, authorization: string | null | undefined): Promise<Context> {
  if (!authorization) return { services, actor: null, authError: null, peer: null };
  try {
    return { services, actor: await authenticate(services, authorization), authError: null, peer: null };
  } catch (error) {
    if (error instanceof DomainError) return { services, actor: null, authError: error, peer: null };
    throw error;
  }
}

/** `Bearer <token>` (HTTP header or graphql-ws connection_init payload) to an Actor. */
export async function authenticate(services: Services, authorization: string): Promise<Actor> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
  if (!bearer) throw new UnauthenticatedError('The authorization must be "Bearer <token>"');
  return services.accounts.authenticate(bearer);
}

/** The calling host or API token; candidates (join tokens) are refused. */
export function orgActor(ctx: Context): OrgActor {
  const actor = requireActor(ctx);
  if (actor.kind === 'candidate') throw new ForbiddenError('A candidate link cannot do this');
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

/** Any authenticated caller (services decide what each kind may do). */
export function requireActor(ctx: Context): Actor {
  if (ctx.actor) return ctx.actor;
  throw ctx.authError ?? new UnauthenticatedError('Authentication required: send "Authorization: Bearer <token>"');
}
