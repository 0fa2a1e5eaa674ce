// HTTPS in a real deployment: the candidate page on a name that is not this machine's loopback
// (Chromium maps proctor.test to 127.0.0.1) publishes camera and mic over https — served by
// Proctor itself with a certificate the test made with openssl, or by Debian's nginx in front of
// it running docs/nginx/proctor.conf — and explains itself over plain http instead of failing at
// the camera. `proctor up` refuses a certificate it cannot serve, warns about http links, and
// swaps its certificate on SIGHUP while an open graphql-ws socket stays open.
// Real server, real mediasoup worker, real Chromium, real nginx and openssl; nothing mocked.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, getCACertificates, setDefaultCACertificates } from 'node:tls';
import { launchBrowser, type TestBrowser } from './support/browser.ts';
import { joinAsCandidate, liveInterview } from './support/candidate-page.ts';
import { ensureClientBuilt } from './support/client-build.ts';
import { fakeCamera } from './support/fake-camera.ts';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { connect } from './support/live.ts';
import { databaseAgnostic, describeDatabase, freshStorage, startTestPlatform, type TestPlatform } from './support/platform.ts';
import { runProctor, squash, UpProcess } from './support/proctor-cli.ts';
import { screenshotsDir } from './support/screenshots.ts';
import { NGINX_CONF, startNginx, TestPki, type Leaf, type TestNginx } from './support/tls.ts';
import { until } from './support/until.ts';

const NAME = 'proctor.test';
const INVITE = 'mutation($id: ID!) { inviteCandidate(interviewId: $id, name: "Grace Hopper", email: "grace@example.com") { link } }';

/** The same address on the test name, which Chromium resolves to 127.0.0.1: not a loopback origin. */
function onTestName(link: string): string {
  const url = new URL(link);
  url.hostname = NAME;
  return url.href;
}

/** The candidate's producers' byte counts at the SFU, by kind. */
async function candidateBytes(server: TestPlatform, interviewId: string): Promise<Record<string, number>> {
  const bytes: Record<string, number> = {};
  for (const { producer, stats } of await server.platform.services.media.producerStats(interviewId)) {
    if (producer.role === 'CANDIDATE') bytes[producer.kind] = stats.reduce((sum, stat) => sum + stat.byteCount, 0);
  }
  return bytes;
}

/** Opens the link in Chromium, joins as the candidate, and waits for camera and mic at the SFU. */
async function publishes(browser: TestBrowser, server: TestPlatform, interviewId: string, link: string): Promise<void> {
  const page = await joinAsCandidate(browser, link);
  try {
    assert.equal(await page.evaluate(() => window.isSecureContext), true);
    await page.waitForSelector('body[data-media="publishing"]', { timeout: 30_000 });
    await until('camera and mic at the SFU', async () => {
      const bytes = await candidateBytes(server, interviewId);
      return (bytes.VIDEO ?? 0) > 0 && (bytes.AUDIO ?? 0) > 0;
    });
  } finally {
    await page.close();
  }
}

/** The serial number of the certificate a new TLS connection is served. */
function servedSerial(port: number, ca: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername: NAME, ca }, () => {
      resolve(socket.getPeerCertificate().serialNumber);
      socket.end();
    });
    socket.once('error', reject);
  });
}

describe(`HTTPS: served by Proctor, behind nginx, explained over http (${describeDatabase()})`, function () {
  this.timeout(180_000);
  const systemCAs = getCACertificates('default');
  let pki: TestPki;
  let leaf: Leaf;
  let browser: TestBrowser;

  before(async function () {
    databaseAgnostic(this); // TLS, nginx and the browser
    await ensureClientBuilt();
    pki = await TestPki.create();
    leaf = await pki.issue(NAME);
    // This process's fetch and WebSockets trust the test CA too (Chromium trusts the leaf by its key).
    setDefaultCACertificates([...systemCAs, await readFile(pki.caCert, 'utf8')]);
    browser = await launchBrowser({
      fakeVideo: await fakeCamera('one-face'),
      args: [`--host-resolver-rules=MAP ${NAME} 127.0.0.1`, `--ignore-certificate-errors-spki-list=${leaf.spki}`],
    });
  });
  after(async () => {
    setDefaultCACertificates(systemCAs);
    await browser?.close();
    await pki?.close();
  });

  describe('served by Proctor (PROCTOR_TLS_CERT, PROCTOR_TLS_KEY)', () => {
    let server: TestPlatform;
    before(async () => {
      server = await startTestPlatform({ tlsCert: leaf.cert, tlsKey: leaf.key });
    });
    after(() => server?.stop());

    it('publishes camera and mic from https://proctor.test over HTTPS and WSS', async () => {
      assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const fixture = await liveInterview(server.url);
      assert.ok(fixture.link.startsWith(`${server.url}/i/`), fixture.link);
      await publishes(browser, server, fixture.interviewId, onTestName(fixture.link));
    });

    it("shows the certificate's expiry in /healthz and /metrics", async () => {
      const expiresAt = new Date(new X509Certificate(await readFile(leaf.cert)).validTo);
      const health = (await (await fetch(`${server.url}/healthz`)).json()) as { tls: { expiresAt: string; daysLeft: number; serialNumber: string } };
      assert.equal(health.tls.expiresAt, expiresAt.toISOString());
      assert.equal(health.tls.serialNumber, leaf.serialNumber);
      assert.ok(health.tls.daysLeft >= 0 && health.tls.daysLeft <= 2, `the test certificate lasts 2 days, got ${health.tls.daysLeft}`);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      assert.match(metrics, new RegExp(`^proctor_tls_certificate_expiry_seconds ${expiresAt.getTime() / 1000}$`, 'm'));
    });

    it('builds links on the listening https address whatever an untrusted X-Forwarded-Proto / -Host say', async () => {
      const fixture = await liveInterview(server.url, {}, { start: false });
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${fixture.host.token}`, 'x-forwarded-proto': 'http', 'x-forwarded-host': 'evil.example' },
        body: JSON.stringify({ query: INVITE, variables: { id: fixture.interviewId } }),
      });
      const { data } = (await response.json()) as { data: { inviteCandidate: { link: string } } };
      assert.ok(data.inviteCandidate.link.startsWith(`${server.url}/i/`), data.inviteCandidate.link);
    });
  });

  describe('plain http, behind nginx (PROCTOR_TRUST_PROXY=true, docs/nginx/proctor.conf)', () => {
    let server: TestPlatform;
    let nginx: TestNginx;
    before(async () => {
      server = await startTestPlatform({ trustProxyHops: 1 });
      nginx = await startNginx({ upstreamPort: Number(new URL(server.url).port), name: NAME, leaf });
    });
    after(async () => {
      await nginx?.stop();
      await server?.stop();
    });

    it('candidate page and host room on http://proctor.test explain that the link must be opened over https', async () => {
      const fixture = await liveInterview(server.url);
      const page = await browser.context.newPage();
      try {
        await page.goto(onTestName(fixture.link));
        await page.waitForSelector('body[data-screen="insecure"]');
        assert.equal(await page.evaluate(() => window.isSecureContext), false);
        const alert = page.getByRole('alert');
        assert.equal(await alert.getByRole('heading', { level: 1 }).textContent(), 'This link must be opened over https');
        assert.match((await alert.textContent())!, /will not let it use your camera and microphone/);
        assert.match((await alert.textContent())!, /For the interviewer.*PROCTOR_TLS_CERT.*PROCTOR_PUBLIC_URL/s);
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'insecure-title', 'focus on the explanation');
        assert.equal(await page.locator('#agree').count(), 0, 'no consent step, no camera request');
        assert.deepEqual(await candidateBytes(server, fixture.interviewId), {});
        const screenshots = screenshotsDir();
        if (screenshots) await page.screenshot({ path: `${screenshots}/candidate-insecure-origin.png` });

        await page.goto(`http://${NAME}:${new URL(server.url).port}/h/${fixture.interviewId}`);
        await page.waitForSelector('body[data-screen="insecure"]');
        assert.match((await page.getByRole('alert').textContent())!, /interview room was opened at http:\/\/proctor\.test.*To fix it/s);
      } finally {
        await page.close();
      }
    });

    it('links follow the scheme and host nginx forwards, and the candidate publishes through nginx (TLS at nginx, WSS upgraded)', async () => {
      const entry = `https://127.0.0.1:${nginx.httpsPort}`;
      const fixture = await liveInterview(entry);
      assert.ok(fixture.link.startsWith(`${entry}/i/`), `link on the address nginx was reached at: ${fixture.link}`);
      await publishes(browser, server, fixture.interviewId, onTestName(fixture.link));
    });

    it('docs/deploy.md shows the configuration this test runs', async () => {
      const deploy = await readFile(new URL('../docs/deploy.md', import.meta.url), 'utf8');
      const shown = /```nginx\n([\s\S]*?)```/.exec(deploy)?.[1];
      const tested = await readFile(NGINX_CONF, 'utf8');
      assert.ok(shown && tested.endsWith(shown), 'the nginx block in docs/deploy.md is the end of docs/nginx/proctor.conf, word for word');
    });

    it('nginx sends plain http on to https, and keeps /metrics off the public side', async () => {
      const response = await fetch(`http://127.0.0.1:${nginx.httpPort}/i/some-token`, { redirect: 'manual' });
      assert.equal(response.status, 301);
      assert.equal(response.headers.get('location'), 'https://127.0.0.1/i/some-token');
      assert.equal((await fetch(`https://127.0.0.1:${nginx.httpsPort}/metrics`)).status, 404);
      assert.equal((await fetch(`${server.url}/metrics`)).status, 200, 'still there for Prometheus on the inside');
    });
  });

  describe('`proctor up`', () => {
    it('refuses to start with a certificate it cannot serve, saying which setting and why (exit 2)', async () => {
      const other = await pki.issue(NAME);
      const storage = await freshStorage();
      try {
        const cases: [Record<string, string>, RegExp][] = [
          [{ PROCTOR_TLS_CERT: '/nonexistent/cert.pem', PROCTOR_TLS_KEY: leaf.key }, /PROCTOR_TLS_CERT: cannot read \/nonexistent\/cert\.pem \(ENOENT\)/],
          [{ PROCTOR_TLS_CERT: leaf.cert, PROCTOR_TLS_KEY: other.key }, /PROCTOR_TLS_KEY: .* is not the private key of the certificate in/],
          [{ PROCTOR_TLS_CERT: leaf.key, PROCTOR_TLS_KEY: leaf.key }, /PROCTOR_TLS_CERT: .* is not a PEM certificate/],
          [{ PROCTOR_TLS_CERT: leaf.cert }, /PROCTOR_TLS_CERT and PROCTOR_TLS_KEY go together/],
        ];
        for (const [env, message] of cases) {
          const { code, stderr } = await runProctor(['up', '--port', '0'], { ...storage.env, ...env });
          assert.equal(code, 2, stderr);
          assert.match(squash(stderr), message);
        }
      } finally {
        await storage.drop();
      }
    });

    it('warns loudly at start-up when join links are plain http to another machine', async () => {
      const storage = await freshStorage();
      const { up } = await UpProcess.started({ ...storage.env, PROCTOR_LOG_LEVEL: 'warn', PROCTOR_PUBLIC_URL: `http://${NAME}:8080` });
      try {
        assert.match(up.stderr, /CANDIDATES WILL GET NO CAMERA: links point to http:\/\/proctor\.test:8080, which is not https/);
        assert.match(up.stderr, /set PROCTOR_TLS_CERT and PROCTOR_TLS_KEY, or put Proctor behind a reverse proxy/);
      } finally {
        await up.stop('SIGTERM');
        await storage.drop();
      }
    });

    it('SIGHUP serves a new certificate to new connections while an open graphql-ws socket stays open', async () => {
      const renewed = await pki.issue(NAME);
      const ca = await readFile(pki.caCert);
      const files = await mkdtemp(join(tmpdir(), 'proctor-live-cert-'));
      const [cert, key] = [join(files, 'fullchain.pem'), join(files, 'privkey.pem')];
      await copyFile(leaf.cert, cert);
      await copyFile(leaf.key, key);
      const storage = await freshStorage();
      const { up, url } = await UpProcess.started({ ...storage.env, PROCTOR_LOG_LEVEL: 'info', PROCTOR_TLS_CERT: cert, PROCTOR_TLS_KEY: key });
      try {
        assert.match(url, /^https:/);
        assert.doesNotMatch(up.stderr, /CANDIDATES WILL GET NO CAMERA/);
        assert.match(up.stderr, /serving HTTPS: certificate expires/);
        const port = Number(new URL(url).port);
        assert.equal((await servedSerial(port, ca)).toLowerCase(), leaf.serialNumber.toLowerCase());

        const { client: host } = await signUp(new GraphQLClient(url));
        const socket = connect(url, host.token);
        let closed = false;
        void socket.closed.then(() => (closed = true));
        assert.equal((await socket.request('{ __typename }')).__typename, 'Query');

        await copyFile(renewed.cert, cert);
        await copyFile(renewed.key, key);
        up.signal('SIGHUP');
        await until('the renewed certificate on a new connection', async () => (await servedSerial(port, ca)).toLowerCase() === renewed.serialNumber.toLowerCase());
        assert.match(up.stderr, /certificate reloaded: certificate expires \d{4}-\d\d-\d\dT[\d:.]+Z \(\d+ days left\)/);
        assert.equal((await socket.request('{ __typename }')).__typename, 'Query', 'the socket opened before the reload still answers');
        assert.equal(closed, false);

        // A renewal gone wrong (the old key beside the new certificate) keeps the working pair.
        await copyFile(leaf.key, key);
        up.signal('SIGHUP');
        await until('the refused reload to be logged', async () => /certificate reload refused, still serving the previous one/.test(up.stderr));
        assert.equal((await servedSerial(port, ca)).toLowerCase(), renewed.serialNumber.toLowerCase());
        await socket.dispose();
      } finally {
        await up.stop('SIGTERM');
        await storage.drop();
        await rm(files, { recursive: true, force: true });
      }
    });
  });
});
