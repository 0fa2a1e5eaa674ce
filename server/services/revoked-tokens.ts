// Signed tokens voided before they expire: logged-out logins, room links already used. The
// table is shared by every server process, so a token voided on one is refused by all.
import type { EntityManager } from '@mikro-orm/postgresql';
import { RevokedToken } from '../db/entities.ts';

/** Voids the token (by digest) until `expiresAt`; false if it was void already. Forgets expired entries. */
export async function voidToken(em: EntityManager, tokenDigest: string, expiresAt: Date): Promise<boolean> {
  await em.nativeDelete(RevokedToken, { expiresAt: { $lt: new Date() } });
  const inserted = await em
    .getConnection()
    .execute<{ token_digest: string }[]>('insert into revoked_tokens (token_digest, expires_at) values (?, ?) on conflict do nothing returning token_digest', [
      tokenDigest,
      expiresAt,
    ]);
  return inserted.length > 0;
}
