// HTTPS served by Proctor itself: the certificate and key PEM files named by PROCTOR_TLS_CERT and
// PROCTOR_TLS_KEY, read and checked before anything starts (and again on each reload), so a wrong
// path, a file that is not PEM or a key that belongs to another certificate is refused with what
// to fix instead of surfacing as a failed TLS handshake in a candidate's browser.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError } from './config.ts';

export interface TlsCertificate {
  /** The certificate file as read: the leaf first, then any intermediates (a "fullchain" file). */
  cert: Buffer;
  key: Buffer;
  /** The leaf's subject and serial (hex), for the log line that says which certificate is served. */
  subject: string;
  serialNumber: string;
  expiresAt: Date;
}

/** Reads and checks the pair; throws ConfigError naming the setting and the fix. */
export function loadTlsCertificate(certPath: string, keyPath: string): TlsCertificate {
  const cert = readPem('PROCTOR_TLS_CERT', certPath);
  const key = readPem('PROCTOR_TLS_KEY', keyPath);
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch {
    throw new ConfigError([`PROCTOR_TLS_CERT: ${certPath} is not a PEM certificate (expected a file starting with -----BEGIN CERTIFICATE-----)`]);
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new ConfigError([
      `PROCTOR_TLS_KEY: ${keyPath} is not an unencrypted PEM private key (expected -----BEGIN PRIVATE KEY----- or -----BEGIN RSA/EC PRIVATE KEY-----; a passphrase-protected key must be decrypted first)`,
    ]);
  }
  if (!leaf.checkPrivateKey(privateKey)) {
    throw new ConfigError([
      `PROCTOR_TLS_KEY: ${keyPath} is not the private key of the certificate in ${certPath} (${leaf.subject.replaceAll('\n', ', ')}, serial ${leaf.serialNumber}). ` +
        'Point PROCTOR_TLS_KEY at the key the certificate was issued for (with certbot: privkey.pem beside fullchain.pem).',
    ]);
  }
  try {
    // What the listener will do with the pair: a chain file with garbage after the leaf fails here.
    createSecureContext({ cert, key });
  } catch (error) {
    throw new ConfigError([`PROCTOR_TLS_CERT: ${certPath} and ${keyPath} cannot serve TLS: ${(error as Error).message}`]);
  }
  return { cert, key, subject: leaf.subject.replaceAll('\n', ', '), serialNumber: leaf.serialNumber, expiresAt: new Date(leaf.validTo) };
}

function readPem(setting: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ConfigError([
      `${setting}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); the user running proctor must be able to read it`,
    ]);
  }
}

/** What a monitor (and `proctor doctor`) reads of the served certificate. */
export interface CertificateStatus {
  expiresAt: string;
  /** Whole days until it expires; negative once it has. */
  daysLeft: number;
  serialNumber: string;
}

export function certificateStatus(certificate: TlsCertificate, now = Date.now()): CertificateStatus {
  return {
    expiresAt: certificate.expiresAt.toISOString(),
    daysLeft: Math.floor((certificate.expiresAt.getTime() - now) / 86_400_000),
    serialNumber: certificate.serialNumber,
  };
}
