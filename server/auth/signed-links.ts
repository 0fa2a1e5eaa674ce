// Signed, expiring download links (a report's PDF, a composite recording): `?expires=<unix s>&
// signature=<HMAC of subject and expiry>`, so an ATS can fetch the file without a token and the
// link stops working by itself. Each kind of download has its own purpose: a signature for one
// never opens another.
import { ForbiddenError, UnauthenticatedError } from '../errors.ts';
import type { Actor } from './actor.ts';
import type { TokenSigner } from './jwt.ts';

/** How a download presents itself: the signed link's query, or the caller's credential. */
export interface DownloadRequest {
  actor: Actor | null;
  expires?: string | undefined;
  signature?: string | undefined;
}

export interface SignedLink {
  /** The query string to append to the download's path. */
  query: string;
  expiresAt: Date;
}

export class SignedLinks {
  readonly #signer: TokenSigner;
  readonly #purpose: string;
  readonly #ttlMs: number;

  constructor(signer: TokenSigner, purpose: string, ttlMs: number) {
    this.#signer = signer;
    this.#purpose = purpose;
    this.#ttlMs = ttlMs;
  }

  sign(subject: string): SignedLink {
    const expires = Math.floor((Date.now() + this.#ttlMs) / 1000);
    const signature = this.#signer.mac(this.#purpose, `${subject}.${expires}`);
    return { query: `expires=${expires}&signature=${signature}`, expiresAt: new Date(expires * 1000) };
  }

  /**
   * Throws unless `access` may download `subject` (`what` names its kind in the refusal): a signed
   * link's pair must sign it, a credential must be a host's or an API token's. Returns the org the
   * file must belong to, or undefined for a signed link (it names the file).
   */
  allowedOrg(subject: string, access: DownloadRequest, what: string): string | undefined {
    if (access.signature !== undefined || access.expires !== undefined) {
      this.verify(subject, access.expires, access.signature);
      return undefined;
    }
    if (!access.actor) throw new UnauthenticatedError('Send "Authorization: Bearer <token>" or use a signed downloadUrl');
    if (access.actor.kind === 'candidate') throw new ForbiddenError(`A candidate link cannot download ${what}`);
    return access.actor.orgId;
  }

  /** Throws UNAUTHENTICATED unless the pair signs `subject` and has not expired. */
  verify(subject: string, expires: string | undefined, signature: string | undefined): void {
    const seconds = Number(expires);
    if (!Number.isInteger(seconds) || !signature || !this.#signer.verifyMac(this.#purpose, `${subject}.${seconds}`, signature)) {
      throw new UnauthenticatedError('This download link is not valid');
    }
    if (seconds * 1000 < Date.now()) throw new UnauthenticatedError('This download link has expired: ask the API for a fresh downloadUrl');
  }
}
