// `proctor doctor` against real servers: a healthy one (every check passes, --json parses), and
// one fault at a time — ffmpeg missing, an RTC port taken by another program, a public URL nobody
// answers at, an untrusted certificate, a clock that is off — each reported by its own check with the remedy, exit code 1.
// Also the operator routes' access rule: only the operator key (or the metrics token, for
// diagnostics) opens them. The database check and the clock check (measured against the
// database's clock) run on both databases; the other checks only in the embedded run.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect as connectTcp, createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { createServer as createTlsServer } from 'node:tls';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BACKUP_PATH, DIAGNOSTICS_PATH, OPERATOR_KEY_FILE } from '../contract/diagnostics.ts';
import type { DoctorReport } from '../cli/commands/doctor.ts';
import type { CheckResult } from '../cli/doctor/check.ts';
import { CHECKS } from '../cli/doctor/checks/index.ts';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { databaseAgnostic, describeDatabase, freshStorage, startTestPlatform, type TestPlatform } from './support/platform.ts';
import { runProctor, UpProcess } from './support/proctor-cli.ts';
import { until } from './support/until.ts';

const run = promisify(execFile);

async function doctor(server: string, dataDir: string, env: Record<string, string> = {}): Promise<{ code: number | null; report: DoctorReport; text: string }> {
  const args = ['doctor', '--server', server, '--data-dir', dataDir];
  const [json, text] = await Promise.all([runProctor([...args, '--json'], env), runProctor(args, env)]);
  assert.equal(json.code, text.code, 'the same exit code with and without --json');
  return { code: json.code, report: JSON.parse(json.stdout) as DoctorReport, text: text.stdout };
}

function check(report: DoctorReport, id: string): CheckResult {
  const found = report.checks.find((c) => c.id === id);
  assert.ok(found, `check ${id} in the report`);
  return found;
}

/** A TCP port that was free a moment ago and now has no listener. */
async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

describe(`proctor doctor (${describeDatabase()})`, () => {
  const metricsToken = 'metrics-token-0123456789';
  /** One server without a fault, for the tests that need none of their own. */
  let healthy: TestPlatform | undefined;
  /** A test's own server, started with its fault. */
  let platform: TestPlatform | undefined;
  before(async () => {
    healthy = await startTestPlatform({}, { PROCTOR_METRICS_TOKEN: metricsToken });
  });
  after(async () => healthy?.stop());
  afterEach(async () => {
    await platform?.stop();
    platform = undefined;
  });

  it('passes every check on a healthy server, in lines and in JSON', async () => {
    const { code, report, text } = await doctor(healthy!.url, healthy!.env.PROCTOR_DATA_DIR!);
    assert.equal(code, 0, text);
    assert.equal(report.ok, true);
    assert.deepEqual(
      report.checks.map((c) => c.id),
      CHECKS.map((c) => c.id),
      'every check, in order',
    );
    for (const result of report.checks) assert.ok(result.status === 'ok' || result.status === 'info', `${result.id}: ${result.status} ${result.detail}`);
    // Neutral lines: nothing to judge, not passed either.
    assert.equal(check(report, 'transcription').status, 'info');
    assert.match(check(report, 'transcription').detail, /not configured/);
    assert.equal(check(report, 'certificate').status, 'info');
    assert.equal(check(report, 'turn').status, 'info');
    assert.match(check(report, 'turn').detail, /not configured/);
    assert.match(check(report, 'ffmpeg').detail, /ffmpeg version/);
    assert.match(check(report, 'rtc-ports').detail, /TCP answers from here/);
    assert.match(check(report, 'face-models').detail, /face_detector\.tflite .* MB, face_landmarker\.task .* MB/);
    assert.match(check(report, 'database').detail, /migrations applied, none pending/);
    const lines = text.trim().split('\n');
    assert.equal(lines.length, CHECKS.length, 'one line per check, no remedies');
    assert.ok(
      lines.every((line) => /^[✔·] /.test(line)),
      text,
    );
  });

  it('reports a missing ffmpeg with its remedy', async function () {
    databaseAgnostic(this);
    platform = await startTestPlatform({}, { PROCTOR_FFMPEG_PATH: '/nonexistent/ffmpeg' });
    const { code, report, text } = await doctor(platform.url, platform.env.PROCTOR_DATA_DIR!);
    assert.equal(code, 1);
    assert.equal(report.ok, false);
    const ffmpeg = check(report, 'ffmpeg');
    assert.equal(ffmpeg.status, 'fail');
    assert.match(ffmpeg.detail, /\/nonexistent\/ffmpeg.*cannot run.*ENOENT/);
    assert.match(ffmpeg.remedy!, /PROCTOR_FFMPEG_PATH/);
    assert.match(text, /^✖ ffmpeg \(recording\) .*\n\s+→ install ffmpeg/m);
    assert.deepEqual(
      report.checks.filter((c) => c.status === 'fail').map((c) => c.id),
      ['ffmpeg'],
      'nothing else fails',
    );
  });

  it('reports an RTC port another program has taken', async function () {
    databaseAgnostic(this);
    const port = await closedPort();
    platform = await startTestPlatform({}, { PROCTOR_RTC_PORT: String(port) });
    // The worker dies; before the pool restarts it on its port, another program binds that port.
    const squatter = await takePortFromWorker(port);
    try {
      await until('the pool to have tried the taken port', async () => {
        const { report } = await doctor(platform!.url, platform!.env.PROCTOR_DATA_DIR!);
        return /in use|EADDRINUSE/i.test(check(report, 'rtc-ports').detail);
      });
      const { code, report, text } = await doctor(platform.url, platform.env.PROCTOR_DATA_DIR!);
      assert.equal(code, 1);
      const rtc = check(report, 'rtc-ports');
      assert.equal(rtc.status, 'fail');
      assert.match(rtc.detail, /worker 0 is not running/);
      assert.match(rtc.remedy!, /PROCTOR_RTC_PORT/);
      assert.match(text, /^✖ RTC ports/m);
    } finally {
      squatter.close();
    }
  });

  it('reports a public URL nobody answers at, and the face models it cannot fetch', async function () {
    databaseAgnostic(this);
    platform = await startTestPlatform({}, { PROCTOR_PUBLIC_URL: `http://127.0.0.1:${await closedPort()}` });
    const { code, report } = await doctor(platform.url, platform.env.PROCTOR_DATA_DIR!);
    assert.equal(code, 1);
    const url = check(report, 'public-url');
    assert.equal(url.status, 'fail');
    assert.match(url.detail, /unreachable \(ECONNREFUSED\)/);
    assert.match(url.remedy!, /PROCTOR_PUBLIC_URL/);
    assert.equal(check(report, 'face-models').status, 'fail');
    // What the server says of itself still comes through the address the doctor was given.
    assert.equal(check(report, 'ffmpeg').status, 'ok');
  });

  it('warns when the public URL is plain http on a name other than localhost', async function () {
    databaseAgnostic(this);
    platform = await startTestPlatform({}, { PROCTOR_PUBLIC_URL: 'http://proctor.invalid' });
    const { report } = await doctor(platform.url, platform.env.PROCTOR_DATA_DIR!);
    const https = check(report, 'https');
    assert.equal(https.status, 'warn');
    assert.match(https.detail, /no camera or microphone/);
  });

  it('checks the certificate of an https public URL: refused when untrusted, days to expiry when trusted', async function () {
    databaseAgnostic(this);
    // A certificate for localhost made with openssl, served by a TLS front that passes the bytes
    // on to the server (what a TLS-terminating proxy does).
    const dir = await mkdtemp(join(tmpdir(), 'proctor-tls-'));
    const [keyFile, certFile] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '30',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost',
    ]);
    let upstream = 0;
    const front = createTlsServer({ key: await readFile(keyFile), cert: await readFile(certFile) }, (socket) => {
      const backend = connectTcp(upstream, '127.0.0.1');
      socket.pipe(backend).pipe(socket);
      socket.on('error', () => backend.destroy());
      backend.on('error', () => socket.destroy());
    });
    front.listen(0, '127.0.0.1');
    await once(front, 'listening');
    try {
      platform = await startTestPlatform({}, { PROCTOR_PUBLIC_URL: `https://localhost:${(front.address() as AddressInfo).port}` });
      upstream = Number(new URL(platform.url).port);
      const untrusted = await doctor(platform.url, platform.env.PROCTOR_DATA_DIR!);
      assert.equal(untrusted.code, 1);
      const refused = check(untrusted.report, 'certificate');
      assert.equal(refused.status, 'fail');
      assert.match(refused.detail, /SELF_SIGNED|self-signed/i);
      assert.match(refused.remedy!, /certificate for this name/);

      const trusted = await doctor(platform.url, platform.env.PROCTOR_DATA_DIR!, { NODE_EXTRA_CA_CERTS: certFile });
      assert.equal(trusted.code, 0, trusted.text);
      const accepted = check(trusted.report, 'certificate');
      assert.equal(accepted.status, 'ok');
      assert.match(accepted.detail, /valid for localhost, .* (29|30) days to expiry/);
      assert.equal(check(trusted.report, 'https').status, 'ok');
      assert.equal(check(trusted.report, 'face-models').status, 'ok', 'the models come through the https URL');
    } finally {
      front.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports a server clock that is off', async () => {
    // A machine with a wrong clock cannot be made here (that takes root and the host's clock): the
    // server process's Date runs 10 minutes ahead through a preloaded module — this file's one
    // stand-in. On a PostgreSQL server the database keeps the true time; the embedded database
    // runs inside the shifted process: either way this machine sees the server 10 minutes off.
    const shift = Buffer.from(
      'const R=Date,n=R.now.bind(R),s=600000;class D extends R{constructor(...a){a.length?super(...a):super(n()+s)}static now(){return n()+s}}globalThis.Date=D;',
    ).toString('base64');
    const storage = await freshStorage();
    const { up, url } = await UpProcess.started({ ...storage.env, NODE_OPTIONS: `--import=data:text/javascript;base64,${shift}` });
    try {
      const { code, report, text } = await doctor(url, storage.env.PROCTOR_DATA_DIR!);
      assert.equal(code, 1);
      const clock = check(report, 'clock');
      assert.equal(clock.status, 'fail');
      assert.match(clock.detail, /clock is [+-]\d+ s from/);
      assert.match(clock.remedy!, /timedatectl set-ntp true|chrony/);
      assert.match(text, /^✖ Clocks in sync/m);
    } finally {
      await up.stop('SIGTERM');
      await storage.drop();
    }
  });

  it('opens the operator routes to the operator key only (diagnostics also to the metrics token)', async function () {
    databaseAgnostic(this);
    const server = healthy!;
    const key = (await readFile(join(server.env.PROCTOR_DATA_DIR!, OPERATOR_KEY_FILE), 'utf8')).trim();
    const { client: host } = await signUp(new GraphQLClient(server.url));
    const get = (path: string, token?: string) => fetch(`${server.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    for (const path of [DIAGNOSTICS_PATH, BACKUP_PATH]) {
      assert.equal((await get(path)).status, 401, `${path} without a token`);
      assert.equal((await get(path, host.token)).status, 401, `${path} with a host login`);
      assert.equal((await get(path, `${key}x`)).status, 401, `${path} with a wrong key`);
    }
    assert.equal((await get(DIAGNOSTICS_PATH, metricsToken)).status, 200);
    assert.equal((await get(BACKUP_PATH, metricsToken)).status, 401, 'the metrics token does not open backups');
    const facts = await (await get(DIAGNOSTICS_PATH, key)).text();
    for (const secret of [key, metricsToken, await readFile(join(server.env.PROCTOR_DATA_DIR!, 'jwt-secret'), 'utf8')]) {
      assert.ok(!facts.includes(secret.trim()), 'no secret in the diagnostics');
    }
  });
});

/**
 * Kills the SFU worker listening on `port` and binds the port (TCP, where mediasoup binds second)
 * before the pool's restart does; if the restart wins, kills that worker too and tries again.
 */
async function takePortFromWorker(port: number): Promise<Server> {
  return until('the RTC port taken from the worker', async () => {
    const { stdout } = await run('pgrep', ['-P', String(process.pid), '-f', 'mediasoup-worker']).catch(() => ({ stdout: '' }));
    for (const pid of stdout.split('\n').filter(Boolean)) process.kill(Number(pid), 'SIGKILL');
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline) {
      const server = createServer();
      const bound = await new Promise<boolean>((resolve) => {
        server.once('error', () => resolve(false));
        server.listen(port, '127.0.0.1', () => resolve(true));
      });
      if (bound) return server;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return undefined;
  });
}
