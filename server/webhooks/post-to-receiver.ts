// One webhook POST, hardened because a tenant chooses where it goes:
// - the receiver's host name is resolved by the socket's own lookup, which refuses the connection
//   unless every address it resolves to is public, so the address checked is the address
//   connected to (no second resolution a rebinding DNS server could answer differently);
//   https keeps the name for SNI and certificate checks;
// - a redirect is an answer, never followed;
// - at most RESPONSE_READ_BYTES of the answer are read, and the timeout bounds the whole
//   exchange, so a receiver that streams forever or stalls is cut off;
// - the outcome is a status code and a short reason of ours: nothing the receiver sent is kept.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { ipLiteral, isPublicAddress } from './public-address.ts';

/** Enough to know the receiver answered; the rest of a body is never looked at. */
const RESPONSE_READ_BYTES = 4096;

export interface ReceiverPost {
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Skip the public-address checks (tests, single-machine set-ups). */
  allowPrivateAddresses: boolean;
}

export interface ReceiverOutcome {
  /** The receiver's HTTP status, when it answered at all. */
  statusCode: number | null;
  /** Why the delivery failed (our words, never the receiver's), or null when it was delivered. */
  failure: string | null;
}

class NonPublicAddressError extends Error {
  constructor(host: string) {
    super(`refused: ${host} is not a public address (loopback, private, link-local or reserved); set PROCTOR_WEBHOOK_ALLOW_PRIVATE=true to allow private receivers`);
  }
}

export async function postToReceiver(rawUrl: string, post: ReceiverPost): Promise<ReceiverOutcome> {
  const url = URL.parse(rawUrl);
  if (!url) return { statusCode: null, failure: 'the webhook URL is not a valid URL' };
  // A literal address is connected to without any lookup: it is checked here instead. Names,
  // local-looking or not, are judged by what they resolve to.
  const literal = ipLiteral(url.hostname);
  if (!post.allowPrivateAddresses && literal !== undefined && !isPublicAddress(literal)) return { statusCode: null, failure: new NonPublicAddressError(url.hostname).message };
  const signal = AbortSignal.timeout(post.timeoutMs);
  let response: IncomingMessage | undefined;
  try {
    response = await send(url, post, signal);
    await readAtMost(response, RESPONSE_READ_BYTES);
  } catch (error) {
    return { statusCode: response?.statusCode ?? null, failure: reasonOf(error, signal, post.timeoutMs) };
  }
  const statusCode = response.statusCode!;
  if (statusCode >= 300 && statusCode <= 399) return { statusCode, failure: `HTTP ${statusCode}: redirects are not followed` };
  if (statusCode < 200 || statusCode > 299) return { statusCode, failure: `HTTP ${statusCode}` };
  return { statusCode, failure: null };
}

function send(url: URL, post: ReceiverPost, signal: AbortSignal): Promise<IncomingMessage> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = request(url, {
      method: 'POST',
      headers: { ...post.headers, 'content-length': String(Buffer.byteLength(post.body)) },
      // A fresh connection per delivery: nothing pooled skips the lookup below.
      agent: false,
      lookup: post.allowPrivateAddresses ? undefined : publicOnlyLookup,
      signal,
    });
    outgoing.once('response', resolve);
    // Kept for the whole exchange: an abort after the answer arrived is an error here too.
    outgoing.on('error', reject);
    outgoing.end(post.body);
  });
}

/** dns.lookup, failing unless every address the name resolves to is public. */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    if (addresses.length === 0 || !addresses.every((a) => isPublicAddress(a.address))) return callback(new NonPublicAddressError(hostname), '', 0);
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};

/** Reads until the body ends or `limit` bytes have come, then lets the connection go. */
async function readAtMost(response: IncomingMessage, limit: number): Promise<void> {
  let read = 0;
  for await (const chunk of response) {
    read += (chunk as Buffer).length;
    if (read >= limit) break;
  }
}

function reasonOf(error: unknown, signal: AbortSignal, timeoutMs: number): string {
  if (signal.aborted) return `no complete answer within ${timeoutMs} ms`;
  if (error instanceof NonPublicAddressError) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  return `could not reach the receiver: ${code ?? (error as Error).message.slice(0, 200)}`;
}
