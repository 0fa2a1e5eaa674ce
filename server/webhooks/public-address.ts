// Which receivers a webhook may reach. A tenant chooses the URL, so without this the server would
// POST (and report back about) its own loopback, the cloud metadata endpoint or the private
// network behind it. Only public unicast addresses qualify; the classification is ipaddr.js's.
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** IPv6 global unicast: everything outside it (IPv4-compatible ::a.b.c.d included) is not a public receiver. */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');
/** Names that only ever mean this machine or its local network. */
const LOCAL_ONLY_NAME = /(^|\.)(localhost|local|internal)$/;

/**
 * Whether `address` (an IP literal) is public: not loopback, private, link-local, unique-local,
 * carrier-grade NAT, unspecified, multicast, broadcast or reserved, also when written as an
 * IPv4-mapped IPv6 address, and not an IPv6 translation or tunnel prefix that wraps an IPv4 one.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const ip = ipaddr.process(address);
  if (ip.range() !== 'unicast') return false;
  return ip.kind() === 'ipv4' || ip.match(GLOBAL_UNICAST_V6);
}

/** A URL host name (brackets and a trailing dot allowed) that is not public on its face: a non-public IP literal or a local-only name. */
export function isNonPublicHost(hostname: string): boolean {
  const host = hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  return ipaddr.isValid(host) ? !isPublicAddress(host) : LOCAL_ONLY_NAME.test(host);
}

/** The IP address a URL host name spells (brackets stripped), when it is one: sockets connect to those without a lookup. */
export function ipLiteral(hostname: string): string | undefined {
  const host = hostname.replace(/^\[|\]$/g, '');
  return isIP(host) ? host : undefined;
}
