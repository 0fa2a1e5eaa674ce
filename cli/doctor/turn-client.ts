// Just enough of a TURN client (RFC 5389 STUN messages, RFC 5766 Allocate/Refresh) for the
// doctor's TURN check: ask for an allocation without credentials (the server answers 401 with a
// realm and a nonce), ask again with the long-term credential, release it. No npm package for STUN
// is installed here and this is a few dozen lines of framing, so it is written out.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect, isIP } from 'node:net';

const MAGIC_COOKIE = 0x2112a442;
const HEADER_BYTES = 20;

export const Method = { Allocate: 0x003, Refresh: 0x004 } as const;
export type Method = (typeof Method)[keyof typeof Method];
const SUCCESS = 0x100;
const ERROR = 0x110;

const Attribute = {
  Username: 0x0006,
  MessageIntegrity: 0x0008,
  ErrorCode: 0x0009,
  Lifetime: 0x000d,
  Realm: 0x0014,
  Nonce: 0x0015,
  XorRelayedAddress: 0x0016,
  RequestedTransport: 0x0019,
} as const;
type Attribute = (typeof Attribute)[keyof typeof Attribute];

/** The long-term credential of RFC 5389 §10.2, once the server has named its realm and nonce. */
export interface LongTermAuth {
  username: string;
  password: string;
  realm: string;
  nonce: string;
}

export interface StunResponse {
  ok: boolean;
  /** e.g. 401, when !ok. */
  errorCode?: number | undefined;
  reason?: string | undefined;
  realm?: string | undefined;
  nonce?: string | undefined;
  relayed?: string | undefined;
}

/** Encodes a request; with `auth`, adds USERNAME, REALM, NONCE and MESSAGE-INTEGRITY (HMAC-SHA1 keyed by MD5(username:realm:password)). */
export function encodeRequest(method: Method, attributes: [Attribute, Buffer][], auth?: LongTermAuth): { transactionId: Buffer; message: Buffer } {
  const transactionId = randomBytes(12);
  const all = auth
    ? [
        ...attributes,
        [Attribute.Username, Buffer.from(auth.username)] as const,
        [Attribute.Realm, Buffer.from(auth.realm)] as const,
        [Attribute.Nonce, Buffer.from(auth.nonce)] as const,
      ]
    : attributes;
  const body = Buffer.concat(all.map(([type, value]) => encodeAttribute(type, value)));
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt16BE(method, 0);
  header.writeUInt32BE(MAGIC_COOKIE, 4);
  transactionId.copy(header, 8);
  if (!auth) {
    header.writeUInt16BE(body.length, 2);
    return { transactionId, message: Buffer.concat([header, body]) };
  }
  // The HMAC covers the message up to the integrity attribute, its length already counting it (§15.4).
  header.writeUInt16BE(body.length + 24, 2);
  const key = createHash('md5').update(`${auth.username}:${auth.realm}:${auth.password}`).digest();
  const hmac = createHmac('sha1', key).update(header).update(body).digest();
  return { transactionId, message: Buffer.concat([header, body, encodeAttribute(Attribute.MessageIntegrity, hmac)]) };
}

function encodeAttribute(type: Attribute, value: Buffer): Buffer {
  const out = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4);
  out.writeUInt16BE(type, 0);
  out.writeUInt16BE(value.length, 2);
  value.copy(out, 4);
  return out;
}

/** The response to `transactionId` in `message`, or undefined when it is not one. */
export function decodeResponse(message: Buffer, transactionId: Buffer): StunResponse | undefined {
  if (message.length < HEADER_BYTES || message.readUInt32BE(4) !== MAGIC_COOKIE || !message.subarray(8, 20).equals(transactionId)) return undefined;
  const kind = message.readUInt16BE(0) & 0x110;
  if (kind !== SUCCESS && kind !== ERROR) return undefined;
  const response: StunResponse = { ok: kind === SUCCESS };
  const end = Math.min(message.length, HEADER_BYTES + message.readUInt16BE(2));
  for (let at = HEADER_BYTES; at + 4 <= end;) {
    const type = message.readUInt16BE(at);
    const value = message.subarray(at + 4, Math.min(end, at + 4 + message.readUInt16BE(at + 2)));
    if (type === Attribute.ErrorCode && value.length >= 4) {
      response.errorCode = (value[2]! & 0x7) * 100 + value[3]!;
      response.reason = value.subarray(4).toString('utf8');
    } else if (type === Attribute.Realm) response.realm = value.toString('utf8');
    else if (type === Attribute.Nonce) response.nonce = value.toString('utf8');
    else if (type === Attribute.XorRelayedAddress) response.relayed = xorAddress(value, message);
    at += 4 + Math.ceil(message.readUInt16BE(at + 2) / 4) * 4;
  }
  return response;
}

function xorAddress(value: Buffer, message: Buffer): string | undefined {
  if (value.length < 8) return undefined;
  const port = value.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16);
  const mask = message.subarray(4, 20); // cookie then transaction id
  const bytes = Buffer.from(value.subarray(4).map((byte, index) => byte ^ mask[index]!));
  if (value[1] === 0x01) return `${bytes.subarray(0, 4).join('.')}:${port}`;
  const groups = Array.from({ length: 8 }, (_, index) => bytes.readUInt16BE(index * 2).toString(16));
  return `[${groups.join(':')}]:${port}`;
}

/** REQUESTED-TRANSPORT UDP: what a browser's relay asks for, whatever carries the requests. */
export const udpRelay: [Attribute, Buffer][] = [[Attribute.RequestedTransport, Buffer.from([17, 0, 0, 0])]];
/** LIFETIME 0: a Refresh that releases the allocation. */
export const release: [Attribute, Buffer][] = [[Attribute.Lifetime, Buffer.alloc(4)]];

/**
 * One connection to a TURN server (a UDP socket or a TCP stream): an allocation belongs to it, so
 * every request of a probe goes through the same one.
 */
export interface StunChannel {
  request(method: Method, attributes: [Attribute, Buffer][], auth?: LongTermAuth): Promise<StunResponse>;
  close(): void;
}

export class StunTimeout extends Error {}

export async function openChannel(transport: 'udp' | 'tcp', host: string, port: number, timeoutMs: number): Promise<StunChannel> {
  const waiting = new Map<string, (response: StunResponse) => void>();
  const deliver = (message: Buffer) => {
    const id = message.subarray(8, 20);
    const resolve = waiting.get(id.toString('hex'));
    const response = resolve && decodeResponse(message, id);
    if (response) resolve(response);
  };
  let send: (message: Buffer) => void;
  let close: () => void;
  let broken: Error | undefined;
  if (transport === 'udp') {
    const socket = createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
    socket.on('message', deliver);
    socket.on('error', (error) => (broken = error));
    send = (message) => socket.send(message, port, host);
    close = () => socket.close();
  } else {
    const socket = connect({ host, port });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new StunTimeout(`no TCP connection within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      socket.once('connect', () => (clearTimeout(timer), resolve()));
      socket.once('error', (error) => (clearTimeout(timer), reject(error)));
    });
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= HEADER_BYTES && buffered.length >= HEADER_BYTES + buffered.readUInt16BE(2)) {
        const length = HEADER_BYTES + buffered.readUInt16BE(2);
        deliver(buffered.subarray(0, length));
        buffered = buffered.subarray(length);
      }
    });
    socket.on('error', (error) => (broken = error));
    send = (message) => socket.write(message);
    close = () => socket.destroy();
  }
  return {
    close,
    request(method, attributes, auth) {
      const { transactionId, message } = encodeRequest(method, attributes, auth);
      const key = transactionId.toString('hex');
      return new Promise<StunResponse>((resolve, reject) => {
        const started = Date.now();
        // UDP loses datagrams: resend every 500 ms until the answer or the timeout (RFC 5389 §7.2.1, simplified).
        const resend = setInterval(() => {
          const failure = broken;
          if (failure) finish(() => reject(failure));
          else if (Date.now() - started >= timeoutMs) finish(() => reject(new StunTimeout(`no answer within ${timeoutMs / 1000} s`)));
          else if (transport === 'udp') send(message);
        }, 500);
        const finish = (settle: () => void) => {
          clearInterval(resend);
          waiting.delete(key);
          settle();
        };
        waiting.set(key, (response) => finish(() => resolve(response)));
        send(message);
      });
    },
  };
}
