// A real TURN server for tests and benches: Debian's coturn (`turnserver`), run as a child process
// with docs/deploy.md's configuration (use-auth-secret, TLS with a certificate made here) in a
// temporary folder, listening on one address. Ready once it answers a STUN binding request.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../bench/support/proctor-process.ts';
import { until } from './until.ts';

const run = promisify(execFile);

export interface Coturn {
  /** `turn:` URLs for PROCTOR_TURN_URLS, UDP and TCP. */
  urls: string[];
  /** Its static-auth-secret, for PROCTOR_TURN_SECRET. */
  secret: string;
  port: number;
  /** What coturn logged (allocations, refused credentials): for a failing test's message. */
  log(): Promise<string>;
  close(): Promise<void>;
}

const DEPLOY_GUIDE = new URL('../../docs/deploy.md', import.meta.url);

/**
 * docs/deploy.md's coturn configuration, made runnable here: its placeholders filled with this
 * machine's address and the test's secret, its ports, certificate and files replaced with free
 * ports and a temp dir. Every key replaced must still be in the guide, so an edit there that this
 * does not follow fails loudly instead of testing something else.
 */
export async function documentedCoturnConfig(values: { ip: string; secret: string; port: number; tlsPort: number; cert: string; key: string; dir: string }): Promise<string> {
  const guide = await readFile(DEPLOY_GUIDE, 'utf8');
  const block = /### `\/etc\/turnserver\.conf`[\s\S]*?```ini\n([\s\S]*?)```/.exec(guide)?.[1];
  if (!block) throw new Error('docs/deploy.md has no ```ini block under "### `/etc/turnserver.conf`"');
  const filled = block.replaceAll('<private-ip>', values.ip).replaceAll('<public-ip>', values.ip).replaceAll('<sfu-ip>', values.ip).replaceAll('<secret>', values.secret);
  const replaced: Record<string, string> = {
    'listening-port': String(values.port),
    'tls-listening-port': String(values.tlsPort),
    cert: values.cert,
    pkey: values.key,
    'log-file': join(values.dir, 'turn.log'),
  };
  const seen = new Set<string>();
  const lines = filled.split('\n').map((line) => {
    const key = line.split('=')[0]!.trim();
    if (!(key in replaced)) return line;
    seen.add(key);
    return `${key}=${replaced[key]}`;
  });
  const missing = Object.keys(replaced).filter((key) => !seen.has(key));
  if (missing.length > 0) throw new Error(`docs/deploy.md's coturn configuration lost ${missing.join(', ')}: update test/support/coturn.ts with it`);
  const left = /<[a-z-]+>/.exec(lines.filter((line) => !line.startsWith('#')).join('\n'));
  if (left) throw new Error(`docs/deploy.md's coturn configuration has a placeholder this does not fill: ${left[0]}`);
  // Not the system's files; verbose logs each allocation (the test looks for it).
  return [...lines, `pidfile=${join(values.dir, 'turnserver.pid')}`, `userdb=${join(values.dir, 'turndb')}`, 'verbose'].join('\n');
}

export async function startCoturn(ip: string, binary = 'turnserver'): Promise<Coturn> {
  const dir = await mkdtemp(join(tmpdir(), 'proctor-coturn-'));
  const [port, tlsPort] = [await freePort(ip), await freePort(ip)];
  const secret = randomBytes(24).toString('hex');
  const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  const configFile = join(dir, 'turnserver.conf');
  try {
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=turn.example.com',
      '-keyout',
      key,
      '-out',
      cert,
    ]);
    await writeFile(configFile, `${await documentedCoturnConfig({ ip, secret, port, tlsPort, cert, key, dir })}\n`);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const child: ChildProcess = spawn(binary, ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) => reject(new Error(`cannot run ${binary} (apt install coturn; .ci/run does): ${error.message}`)));
  });
  const log = async () => `${stderr}${await readFile(join(dir, 'turn.log'), 'utf8').catch(() => '')}`;
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await spawned;
    await until('coturn answering STUN', async () => {
      if (child.exitCode !== null) throw new Error(`coturn exited (${child.exitCode}): ${await log()}`);
      return stunAnswers(ip, port);
    });
  } catch (error) {
    await close();
    throw error;
  }
  return {
    urls: [`turn:${ip}:${port}?transport=udp`, `turn:${ip}:${port}?transport=tcp`],
    secret,
    port,
    log,
    close,
  };
}

/** Sends one STUN binding request (RFC 5389) and says whether a response came within 500 ms. */
function stunAnswers(ip: string, port: number): Promise<boolean> {
  const request = Buffer.alloc(20);
  request.writeUInt16BE(0x0001, 0); // Binding request
  request.writeUInt16BE(0, 2); // no attributes
  request.writeUInt32BE(0x2112a442, 4); // magic cookie
  randomBytes(12).copy(request, 8); // transaction id
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const done = (answered: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(answered);
    };
    const timer = setTimeout(() => done(false), 500);
    socket.once('message', (message) => done(message.length >= 20 && message.readUInt16BE(0) === 0x0101));
    socket.once('error', () => done(false));
    socket.send(request, port, ip);
  });
}
