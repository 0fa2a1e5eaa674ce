// Credentials revoked while they are in use: a host who logs out (one login or all of them), a
// revoked API token, the join links and room logins of an interview that ended. Every holder of
// a long-lived connection (graphql-ws sockets, running subscriptions) watches its credential here,
// so it is cut off at once rather than at its next request. The channel is relayed between server
// processes like live events (PostgreSQL NOTIFY), so a revocation on one reaches all.
import { Channel } from '../live/channel.ts';
import type { Actor } from './actor.ts';

export interface Revocation {
  reason: string;
}

/** A verified bearer token: who it is, until when, and the revocation keys that end it. */
export interface Credential {
  actor: Actor;
  /** SHA-256 of the bearer token (what a single logout revokes). */
  tokenDigest: string;
  /** Epoch ms; null when the credential does not expire by itself (API tokens). */
  expiresAt: number | null;
  /** Said when it expires, e.g. "Your login has expired". */
  expiredReason: string;
  revokedBy: readonly string[];
}

export const revocationKey = {
  apiToken: (tokenId: string) => `apiToken:${tokenId}`,
  /** Every login and room login of a host (log out everywhere, password change). */
  host: (hostId: string) => `host:${hostId}`,
  /** One login or room login (log out). */
  token: (tokenDigest: string) => `token:${tokenDigest}`,
  /** The join links and room logins of one interview (it ended). */
  interview: (interviewId: string) => `interview:${interviewId}`,
};

/** setTimeout's longest delay; a later expiry is re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class Revocations {
  readonly channel = new Channel<Revocation>('credentials');

  revoke(key: string, reason: string): void {
    this.channel.publish(key, { reason });
  }

  /**
   * Revokes in this process only: for a revocation that every process derives from an event
   * they all receive (an interview's end), in the order they receive it.
   */
  revokeHere(key: string, reason: string): void {
    this.channel.deliver(key, { reason });
  }

  /** Calls `onEnded` once, when the credential is revoked or expires; returns the function that stops watching. */
  watch(credential: Credential, onEnded: (reason: string) => void): () => void {
    const stops: (() => void)[] = [];
    const stop = () => {
      for (const unlisten of stops.splice(0)) unlisten();
    };
    const end = (reason: string) => {
      if (stops.length === 0) return;
      stop();
      onEnded(reason);
    };
    for (const key of credential.revokedBy) stops.push(this.channel.listen(key, ({ reason }) => end(reason)));
    const { expiresAt } = credential;
    if (expiresAt !== null) {
      let timer: NodeJS.Timeout;
      const arm = () => {
        const left = expiresAt - Date.now();
        if (left <= 0) return end(credential.expiredReason);
        timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS)).unref();
      };
      stops.push(() => clearTimeout(timer));
      arm();
    }
    return stop;
  }
}
