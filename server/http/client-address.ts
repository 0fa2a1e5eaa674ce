// Who is calling (for the login and sign-up limits) and where they reached us (for links): one
// rule for HTTP requests and graphql-ws connections alike. Without trusted proxies the caller is
// the socket's remote address, whatever X-Forwarded-For claims. Behind `trustProxyHops` reverse
// proxies it is the entry the outermost of them appended to X-Forwarded-For: each proxy appends
// the address it saw, so only the last `trustProxyHops` entries are not the client's own say-so.
import type { IncomingMessage } from 'node:http';

export function clientAddress(request: IncomingMessage, trustProxyHops: number): string {
  const socketAddress = request.socket.remoteAddress ?? 'unknown';
  if (trustProxyHops === 0) return socketAddress;
  const header = request.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return forwarded.slice(-trustProxyHops)[0] ?? socketAddress;
}

/** A host name or address with an optional port: anything else in a forwarded Host is not used. */
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * The origin the caller reached, as the trusted reverse proxy saw it (X-Forwarded-Proto, and
 * X-Forwarded-Host or the Host the proxy passed on): what links are built on when
 * PROCTOR_PUBLIC_URL is unset. Undefined without trusted proxies — a direct caller's Host header is
 * its own say-so, so links then use the listening address — and when the headers are not sane.
 */
export function forwardedOrigin(request: IncomingMessage, trustProxyHops: number): string | undefined {
  if (trustProxyHops === 0) return undefined;
  const first = (name: string) => {
    const header = request.headers[name];
    return (Array.isArray(header) ? header[0] : header)?.split(',')[0]?.trim();
  };
  const proto = (first('x-forwarded-proto') ?? ('encrypted' in request.socket ? 'https' : 'http')).toLowerCase();
  const host = first('x-forwarded-host') ?? first('host');
  if ((proto !== 'http' && proto !== 'https') || !host || !HOST.test(host)) return undefined;
  try {
    // Normalised: a proxy that always sends the port (nginx's $host:$server_port) gives no ":443".
    return new URL(`${proto}://${host}`).origin;
  } catch {
    return undefined;
  }
}
