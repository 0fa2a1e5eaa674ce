// Who is calling. Every service call takes an Actor and scopes what it touches to the actor's org.
import type { Scope } from './scopes.ts';

export interface HostActor {
  kind: 'host';
  hostId: string;
  orgId: string;
}

export interface ApiTokenActor {
  kind: 'apiToken';
  tokenId: string;
  orgId: string;
  scopes: readonly Scope[];
}

/** A host inside one interview's room (a `proctor room` link): that interview only, while it runs. */
export interface RoomActor {
  kind: 'room';
  hostId: string;
  orgId: string;
  interviewId: string;
}

/** A host reviewing one ended interview (a `proctor review` link): read it, give verdicts, complete reviews. */
export interface ReviewActor {
  kind: 'review';
  hostId: string;
  orgId: string;
  interviewId: string;
}

export interface CandidateActor {
  kind: 'candidate';
  candidateId: string;
  interviewId: string;
  orgId: string;
}

/** Hosts, their room and review logins and ATS integrations act on behalf of an org. */
export type OrgActor = HostActor | ApiTokenActor | RoomActor | ReviewActor;
export type Actor = OrgActor | CandidateActor;

export function actorId(actor: Actor): string {
  switch (actor.kind) {
    case 'host':
    case 'room':
    case 'review':
      return actor.hostId;
    case 'apiToken':
      return actor.tokenId;
    case 'candidate':
      return actor.candidateId;
  }
}

/** Whether the actor may touch this interview of its org at all: a room or review login reaches only its own. */
export function reachesInterview(actor: OrgActor, interviewId: string): boolean {
  return (actor.kind !== 'room' && actor.kind !== 'review') || actor.interviewId === interviewId;
}
