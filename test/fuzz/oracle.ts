// What a fuzz case must never get back: a code outside the API's documented set (an internal
// error, UNAVAILABLE on a healthy database, an error without a code, no answer), an HTTP 5xx, or
// anything of the victim org that the request did not carry itself.
import type { Outcome } from './transports.ts';
import type { Canaries } from './world.ts';

/** Codes a fuzz case may get: the API's documented errors, and the transports' refusals. */
export const EXPECTED_CODES = new Set([
  'OK',
  'SUBSCRIBED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'CONFLICT',
  'RATE_LIMITED',
  'LIMIT_EXCEEDED',
  'INTERVIEW_ENDED',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  // graphql-yoga: an operationName that names no operation of the document (HTTP 400).
  'OPERATION_RESOLUTION_FAILURE',
  // HTTP: malformed JSON (400) and a body over the limit (413).
  'BAD_REQUEST',
  'PAYLOAD_TOO_LARGE',
  // Node's HTTP parser: request headers over 16 KB (a made-up 100 KB bearer token).
  'HTTP_431',
  // graphql-ws: a refused credential (4401 / 4403), a message over the payload limit (1009).
  'WS_CLOSE_4401',
  'WS_CLOSE_4403',
  'WS_CLOSE_1009',
]);

/** Why the case failed; empty when it passed. */
export function judge(outcome: Outcome, request: string, canaries: Canaries): string[] {
  const problems: string[] = [];
  const unexpected = [...new Set(outcome.codes.filter((code) => !EXPECTED_CODES.has(code)))];
  if (unexpected.length) problems.push(`unexpected code ${unexpected.join(', ')}`);
  if (outcome.status !== undefined && outcome.status >= 500 && outcome.status < 600) problems.push(`HTTP ${outcome.status}`);
  problems.push(...leaks(outcome.answer, request, canaries).map((value) => `victim data in the answer: ${value}`));
  return problems;
}

/** Victim values in `answer` that `request` did not contain (an echo of the request is no leak). */
export function leaks(answer: string, request: string, canaries: Canaries): string[] {
  const seen = answer.toLowerCase();
  if (!seen.includes(canaries.marker) && !canaries.values.some((value) => seen.includes(value))) return [];
  const sent = request.toLowerCase();
  return canaries.values.filter((value) => seen.includes(value) && !sent.includes(value));
}
