// Typed domain errors. Services throw these; the GraphQL layer maps them to error codes in one
// place (schema/errors.ts), so a service never needs to know how its errors are transported.

export type ErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'BAD_USER_INPUT' | 'CONFLICT' | 'RATE_LIMITED' | 'LIMIT_EXCEEDED' | 'INTERVIEW_ENDED' | 'UNAVAILABLE';

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  /** Extra machine-readable detail (the offending field, a retry delay…). */
  readonly details: Record<string, unknown>;

  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED';
}

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  constructor(what: string, id?: string) {
    super(id === undefined ? `${what} not found` : `${what} ${id} not found`, id === undefined ? {} : { id });
  }
}

export class ValidationError extends DomainError {
  readonly code = 'BAD_USER_INPUT';
  constructor(field: string, message: string) {
    super(`${field}: ${message}`, { field });
  }
}

export class ConflictError extends DomainError {
  readonly code = 'CONFLICT';
}

export class RateLimitedError extends DomainError {
  readonly code = 'RATE_LIMITED';
  constructor(message: string, retryAfterMs: number) {
    super(message, { retryAfterSeconds: Math.ceil(retryAfterMs / 1000) });
  }
}

/** A candidate acts on an interview that is over (COMPLETED or ARCHIVED): nothing more is stored. */
export class InterviewEndedError extends DomainError {
  readonly code = 'INTERVIEW_ENDED';
  constructor(interviewId: string) {
    super(`Interview ${interviewId} has ended: nothing more is accepted from its candidates`, { interviewId });
  }
}

/** A dependency (the database) failed transiently: the same request may succeed when retried. */
export class UnavailableError extends DomainError {
  readonly code = 'UNAVAILABLE';
  constructor(message: string, retryAfterMs = 1000) {
    super(message, { retriable: true, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) });
  }
}

/** A configured resource cap (transports, producers, snapshots, connections…) is reached. */
export class LimitExceededError extends DomainError {
  readonly code = 'LIMIT_EXCEEDED';
  constructor(message: string, limit: number) {
    super(message, { limit });
  }
}
