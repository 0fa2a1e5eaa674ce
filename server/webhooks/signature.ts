// X-Proctor-Signature: "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, `${t}.${body}`)>".
// The timestamp is signed with the body, so a receiver can refuse replays of old deliveries.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Proctor-Signature';
/** How old a delivery a receiver should still accept (the README's sample uses it too). */
export const DEFAULT_TOLERANCE_S = 300;

export function signPayload(secret: string, body: string, timestampS: number): string {
  const v1 = createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex');
  return `t=${timestampS},v1=${v1}`;
}

/** What a receiver does; exported for tests and as the reference implementation. */
export function verifySignature(secret: string, body: string, header: string, nowS = Math.floor(Date.now() / 1000), toleranceS = DEFAULT_TOLERANCE_S): boolean {
  const parts = Object.fromEntries(header.split(',').map((part) => part.split('=', 2) as [string, string]));
  const timestamp = Number(parts.t);
  if (!Number.isInteger(timestamp) || !parts.v1 || Math.abs(nowS - timestamp) > toleranceS) return false;
  const expected = Buffer.from(signPayload(secret, body, timestamp).split('v1=')[1]!, 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
