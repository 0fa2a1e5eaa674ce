// Test certificates made with openssl (a CA and leaves it signs for a test name), and Debian's
// nginx run as a child process from the documented configuration (docs/nginx/proctor.conf), with
// its own prefix in a temporary dir and free ports, terminating TLS in front of a test server.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { until } from './until.ts';

const run = promisify(execFile);

export interface Leaf {
  cert: string;
  key: string;
  /** Hex, as Node's X509Certificate.serialNumber spells it. */
  serialNumber: string;
  /** base64 SHA-256 of the public key: what Chromium's --ignore-certificate-errors-spki-list takes. */
  spki: string;
}

export class TestPki {
  readonly dir: string;
  readonly caCert: string;
  #issued = 0;

  private constructor(dir: string) {
    this.dir = dir;
    this.caCert = join(dir, 'ca.crt');
  }

  static async create(): Promise<TestPki> {
    const pki = new TestPki(await mkdtemp(join(tmpdir(), 'proctor-pki-')));
    await openssl(
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=Proctor test CA'],
      ['-keyout', join(pki.dir, 'ca.key'), '-out', pki.caCert, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    );
    return pki;
  }

  /** A leaf for `name` (and 127.0.0.1) with a new key and a serial of its own. */
  async issue(name: string): Promise<Leaf> {
    const id = `leaf-${++this.#issued}`;
    const file = (ext: string) => join(this.dir, `${id}.${ext}`);
    await openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${name}`], ['-keyout', file('key'), '-out', file('csr')]);
    await writeFile(file('ext'), `subjectAltName=DNS:${name},IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`);
    await openssl(
      ['x509', '-req', '-in', file('csr'), '-CA', this.caCert, '-CAkey', join(this.dir, 'ca.key'), '-days', '2'],
      ['-set_serial', `0x${(0x5e7000 + this.#issued).toString(16)}`, '-extfile', file('ext'), '-out', file('crt')],
    );
    const certificate = new X509Certificate(await readFile(file('crt')));
    const spki = createHash('sha256')
      .update(certificate.publicKey.export({ type: 'spki', format: 'der' }))
      .digest('base64');
    return { cert: file('crt'), key: file('key'), serialNumber: certificate.serialNumber, spki };
  }

  close(): Promise<void> {
    return rm(this.dir, { recursive: true, force: true });
  }
}

async function openssl(...args: string[][]): Promise<void> {
  await run('openssl', args.flat());
}

/** A port nothing listens on right now (nginx needs its ports in its configuration file). */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

export const NGINX_CONF = fileURLToPath(new URL('../../docs/nginx/proctor.conf', import.meta.url));

export interface TestNginx {
  httpPort: number;
  httpsPort: number;
  stop(): Promise<void>;
}

/**
 * Runs docs/nginx/proctor.conf in front of `upstreamPort`, serving `name` with `leaf`. Every
 * replacement must match, so a change to the documented file that the test no longer covers fails
 * here instead of passing untested.
 */
export async function startNginx(options: { upstreamPort: number; name: string; leaf: Leaf }): Promise<TestNginx> {
  const prefix = await mkdtemp(join(tmpdir(), 'proctor-nginx-'));
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  let site = await readFile(NGINX_CONF, 'utf8');
  const replacements: [string, string][] = [
    ['/etc/letsencrypt/live/proctor.example.com/fullchain.pem', options.leaf.cert],
    ['/etc/letsencrypt/live/proctor.example.com/privkey.pem', options.leaf.key],
    ['proctor.example.com', options.name],
    ['server 127.0.0.1:4000;', `server 127.0.0.1:${options.upstreamPort};`],
    ['listen 80;', `listen 127.0.0.1:${httpPort};`],
    ['listen 443 ssl;', `listen 127.0.0.1:${httpsPort} ssl;`],
  ];
  for (const [from, to] of replacements) {
    if (!site.includes(from)) throw new Error(`docs/nginx/proctor.conf no longer has "${from}": update the test with it`);
    site = site.replaceAll(from, to);
  }
  await writeFile(join(prefix, 'proctor.conf'), site);
  // The parts of nginx.conf a distribution provides, pointed into the prefix; one process, no
  // daemon, so the test owns it and a stop ends it.
  await writeFile(
    join(prefix, 'nginx.conf'),
    [
      'daemon off;',
      'master_process off;',
      `pid ${prefix}/nginx.pid;`,
      `error_log ${prefix}/error.log warn;`,
      'events { worker_connections 256; }',
      'http {',
      '  access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${prefix}/${kind}-temp;`),
      `  include ${prefix}/proctor.conf;`,
      '}',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('nginx', ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', join(prefix, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit');
  let ended = false;
  void exited.then(() => (ended = true));
  const stop = async () => {
    if (!ended) {
      child.kill('SIGTERM');
      await exited;
    }
    await rm(prefix, { recursive: true, force: true });
  };
  try {
    await until('nginx to listen', async () => {
      if (ended) throw new Error(`nginx exited: ${stderr}${await readFile(join(prefix, 'error.log'), 'utf8').catch(() => '')}`);
      return (await accepts(httpPort)) && (await accepts(httpsPort));
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { httpPort, httpsPort, stop };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
