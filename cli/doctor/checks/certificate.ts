// The certificate the public URL presents: trusted by this machine, for that name, and how long
// it has left.
import { connect, type PeerCertificate } from 'node:tls';
import type { Check } from '../check.ts';
import { reason } from './public-url.ts';

/** Renew at least this long before expiry (Let's Encrypt renews at 30 days left). */
const WARN_DAYS = 14;
const DAY_MS = 86_400_000;

export const certificate: Check = {
  id: 'certificate',
  title: 'TLS certificate',
  async run({ publicUrl, timeoutMs }) {
    if (publicUrl.protocol !== 'https:') return { status: 'info', detail: 'not https: no certificate to check' };
    const host = publicUrl.hostname.replace(/^\[|\]$/g, '');
    let peer: PeerCertificate;
    try {
      peer = await new Promise<PeerCertificate>((resolve, reject) => {
        const socket = connect({ host, port: Number(publicUrl.port || 443), servername: host, timeout: timeoutMs }, () => {
          resolve(socket.getPeerCertificate());
          socket.end();
        });
        socket.once('timeout', () => socket.destroy(new Error('timed out')));
        socket.once('error', reject);
      });
    } catch (error) {
      return {
        status: 'fail',
        detail: `${publicUrl.host}: ${reason(error)}`,
        remedy: 'install a certificate for this name from a public CA (its full chain), e.g. with certbot, and check it is the one served',
      };
    }
    const daysLeft = Math.floor((new Date(peer.valid_to).getTime() - Date.now()) / DAY_MS);
    const detail = `valid for ${publicUrl.hostname}, issued by ${String(peer.issuer.O ?? peer.issuer.CN ?? 'unknown')}, ${daysLeft} days to expiry (${peer.valid_to})`;
    if (daysLeft < WARN_DAYS) return { status: 'warn', detail, remedy: 'renew the certificate now (certbot renew), then reload the server or proxy' };
    return { status: 'ok', detail };
  },
};
