// Short-lived TURN credentials in coturn's `use-auth-secret` scheme (the "TURN REST API" draft,
// draft-uberti-behave-turn-rest): username `<expiry unix seconds>:<id>`, password
// base64(HMAC-SHA1(secret, username)). coturn checks them with the same secret and no database,
// and refuses an expired one when an allocation starts (a running allocation outlives it).
import { createHmac } from 'node:crypto';
import type { IceServerPayload } from '../../contract/media-signaling.ts';

export interface TurnOptions {
  urls: string[];
  secret: string;
  ttlMs: number;
}

export class TurnCredentials {
  readonly #options: TurnOptions;

  constructor(options: TurnOptions) {
    this.#options = options;
  }

  /** One ICE server entry for `id` (what coturn logs as the user), valid for the TTL from `now`. */
  issue(id: string, now = Date.now()): IceServerPayload {
    const expiry = Math.floor((now + this.#options.ttlMs) / 1000);
    const username = `${expiry}:${id}`;
    const credential = createHmac('sha1', this.#options.secret).update(username).digest('base64');
    return { urls: this.#options.urls, username, credential };
  }
}
