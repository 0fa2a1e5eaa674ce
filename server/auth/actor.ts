// Who is calling. Every service call takes an Actor and scopes what it touches to the actor's org.

export interface HostActor {
  kind: 'host';
  hostId: string;
  orgId: string;
}

export interface ApiTokenActor {
  kind: 'apiToken';
  tokenId: string;
  orgId: string;
}

export interface CandidateActor {
  kind: 'candidate';
  candidateId: string;
  interviewId: string;
  orgId: string;
}

/** Hosts and ATS integrations act on behalf of an org. */
export type OrgActor = HostActor | ApiTokenActor;
export type Actor = OrgActor | CandidateActor;

export function actorId(actor: Actor): string {
  switch (actor.kind) {
    case 'host':
      return actor.hostId;
    case 'apiToken':
      return actor.tokenId;
    case 'candidate':
      return actor.candidateId;
  }
}
