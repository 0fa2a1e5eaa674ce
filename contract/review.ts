// Human review of an ended interview: what a reviewer says about one flag (a verdict), what they
// conclude about a candidate (a decision), and where a review stands. The server, the CLI and
// (later) the review page use these names.

export const ReviewVerdict = { CONFIRMED: 'CONFIRMED', DISMISSED: 'DISMISSED' } as const;
export type ReviewVerdict = (typeof ReviewVerdict)[keyof typeof ReviewVerdict];
export const REVIEW_VERDICTS = Object.values(ReviewVerdict);

export const ReviewDecision = { CLEARED: 'CLEARED', CONCERNS: 'CONCERNS', REJECTED: 'REJECTED' } as const;
export type ReviewDecision = (typeof ReviewDecision)[keyof typeof ReviewDecision];
export const REVIEW_DECISIONS = Object.values(ReviewDecision);

/** PENDING until the first verdict, IN_REVIEW after it, DONE once the review is completed. */
export const ReviewStatus = { PENDING: 'PENDING', IN_REVIEW: 'IN_REVIEW', DONE: 'DONE' } as const;
export type ReviewStatus = (typeof ReviewStatus)[keyof typeof ReviewStatus];
export const REVIEW_STATUSES = Object.values(ReviewStatus);

/** Longest note a reviewer may leave on a verdict or a decision. */
export const REVIEW_NOTE_MAX_LENGTH = 2000;

/** Longest written statement a candidate may leave on their completed review (once). */
export const CANDIDATE_STATEMENT_MAX_LENGTH = 4000;

/** How long a candidate statement link lasts, in hours: the default and the bounds a host may ask for. */
export const STATEMENT_LINK_HOURS = { default: 7 * 24, min: 1, max: 30 * 24 } as const;
