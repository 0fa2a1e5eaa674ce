// Signed, expiring download links (a report's PDF, a composite recording): `?expires=<unix s>&
// signature=<HMAC of subject and expiry>`, so an ATS can fetch the file without a token and the
// link stops working by itself. Each kind of download has its own purpose: a signature for one
// never opens another.
import { UnauthenticatedError } from '../errors.ts';
import type { TokenSigner } from './jwt.ts';

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

  /** Throws UNAUTHENTICATED unless the pair signs `subject` and has not expired. */
  verify(subject: string, expires: string | undefined, signature: string | undefined): void {
    const seconds = Number(expires);
    if (!Number.isInteger(seconds) || !signature || !this.#signer.verifyMac(this.#purpose, `${subject}.${seconds}`, signature)) {
      throw new UnauthenticatedError('This download link is not valid');
    }
    if (seconds * 1000 < Date.now()) throw new UnauthenticatedError('This download link has expired: ask the API for a fresh downloadUrl');
  }
}
