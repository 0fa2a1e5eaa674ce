// What every resolver receives: the services and who is calling. Authentication happens once
// per request; a bad token is remembered and reported by the first field that needs a caller,
// so public fields (signUp, logIn, candidateSession) still work.
import type { Actor, CandidateActor, OrgActor } from '../server/auth/actor.ts';
import { DomainError, ForbiddenError, UnauthenticatedError } from '../server/errors.ts';
import type { Services } from '../server/services/index.ts';

export interface Context {
  services: Services;
  actor: Actor | null;
  authError: DomainError | null;
}

export async function buildContext(services: Services, authorization: string | null | undefined): Promise<Context> {
  if (!authorization) return { services, actor: null, authError: null };
  try {
    return { services, actor: await authenticate(services, authorization), authError: null };
  } catch (error) {
    if (error instanceof DomainError) return { services, actor: null, authError: error };
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

export function candidateActor(ctx: Context): CandidateActor {
  const actor = requireActor(ctx);
  if (actor.kind !== 'candidate') throw new ForbiddenError('Only a candidate link can do this');
  return actor;
}

function requireActor(ctx: Context): Actor {
  if (ctx.actor) return ctx.actor;
  throw ctx.authError ?? new UnauthenticatedError('Authentication required: send "Authorization: Bearer <token>"');
}
