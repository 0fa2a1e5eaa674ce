// How the server closes a graphql-ws socket it will not serve, and which of those closes a client
// must not retry: the same token would be refused again.

export const CLOSE_CODE = {
  UNAUTHENTICATED: 4401,
  FORBIDDEN: 4403,
  LIMIT_EXCEEDED: 4429,
  /** The credential could not be checked (the database is unavailable): graphql-ws clients retry this one. */
  TRY_AGAIN_LATER: 1013,
  INTERNAL_ERROR: 1011,
} as const;
export type CloseCode = (typeof CLOSE_CODE)[keyof typeof CLOSE_CODE];

/** A refused or revoked token (4401) or one that may not connect (4403). */
export const REFUSED_CLOSE_CODES: ReadonlySet<number> = new Set([CLOSE_CODE.UNAUTHENTICATED, CLOSE_CODE.FORBIDDEN]);
