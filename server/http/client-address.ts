// Who is calling, for the login and sign-up limits: one rule for HTTP requests and graphql-ws
// connections alike. Without trusted proxies it is the socket's remote address, whatever
// X-Forwarded-For claims. Behind `trustProxyHops` reverse proxies it is the entry the outermost of
// them appended to X-Forwarded-For: each proxy appends the address it saw, so only the last
// `trustProxyHops` entries are not the client's own say-so.
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
