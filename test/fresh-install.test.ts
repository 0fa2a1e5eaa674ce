// A fresh install is the whole product. A clean clone of this repository, with nothing beside it,
// installed with `npm ci` and started with its own `proctor up` (no PROCTOR_* settings), must run
// every check: a candidate with two faces in front of the camera raises MULTIPLE_FACES at the
// host. And a `proctor up` that cannot find its face models refuses to start and says how to fix
// it, unless face checks are explicitly turned off.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { launchBrowser, type TestBrowser } from './support/browser.ts';
import { AlertWatcher, joinAsCandidate, liveInterview } from './support/candidate-page.ts';
import { cameraClip } from './support/fake-camera.ts';
import { databaseAgnostic, describeDatabase, freshStorage } from './support/platform.ts';
import { cleanEnv, squash, UpProcess } from './support/proctor-cli.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const MODELS = ['face_detector.tflite', 'face_landmarker.task'];
/** npm ci from a warm cache, then the client build: minutes on a busy 2-core machine. */
const INSTALL_TIMEOUT_MS = 20 * 60_000;
const STOP_TIMEOUT_MS = 20_000;

async function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(command, args, { ...options, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${(error as Error).message}\n${`${stdout}\n${stderr}`.slice(-4000)}`, { cause: error });
  }
}

/** SIGTERM, and SIGKILL if it does not stop in time: a failed test never leaves a server running. */
async function stopProcess(up: UpProcess): Promise<void> {
  up.signal('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const stopped = await Promise.race([up.exited.then(() => true), new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), STOP_TIMEOUT_MS)))]);
  clearTimeout(timer);
  if (!stopped) await up.kill();
}

/**
 * The environment a user has in a fresh shell: no PROCTOR_* settings, and none of the variables
 * npm sets for the script running this test (they would point the nested npm at this checkout).
 * MEDIASOUP_WORKER_BIN stays: where it is set, the machine cannot download mediasoup's worker.
 */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = cleanEnv(extra);
  for (const name of Object.keys(env)) {
    if (/^(npm_(lifecycle|package|command|config_local_prefix)|INIT_CWD$)/i.test(name)) delete env[name];
  }
  return env;
}

describe('fresh install: a clean clone, npm ci, its own proctor up (embedded database)', function () {
  this.timeout(180_000);
  let workDir: string | undefined;
  let clone: string;
  let up: UpProcess | undefined;
  let url: string;
  let browser: TestBrowser | undefined;
  let watcher: AlertWatcher | undefined;

  before(async function () {
    databaseAgnostic(this); // a fresh install runs on the embedded database, and the embedded run installs it
    const commit = await run('git', ['rev-parse', 'HEAD'], { cwd: REPO }).then(
      (out) => out.trim(),
      () => undefined,
    );
    if (!commit) {
      console.log(`      skipped: ${REPO} is not a git checkout, so there is no commit to clone`);
      this.skip();
    }
    this.timeout(INSTALL_TIMEOUT_MS);
    const uncommitted = (await run('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO })).trim();
    console.log(`      cloning commit ${commit.slice(0, 12)}${uncommitted ? ' (uncommitted changes in this checkout are not part of it)' : ''}`);
    workDir = await mkdtemp(join(tmpdir(), 'proctor-fresh-install-'));
    clone = join(workDir, 'proctor');
    await run('git', ['clone', '--quiet', '--no-checkout', REPO, clone]);
    await run('git', ['-C', clone, 'checkout', '--quiet', '--detach', commit]);
    const installStarted = performance.now();
    // As on a server, where NODE_ENV=production makes npm leave the devDependencies out: the
    // install (its client build included) and the platform must not need them.
    await run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: clone, env: userEnv({ NODE_ENV: 'production' }) });
    console.log(`      npm ci (and its client build) took ${((performance.now() - installStarted) / 1000).toFixed(0)} s`);

    const env = { PROCTOR_DATA_DIR: join(workDir, 'data'), PROCTOR_SFU_WORKERS: '1', PROCTOR_RTC_PORT: '0' };
    ({ up, url } = await UpProcess.started(env, join(clone, 'cli', 'bin', 'run.js')));
  });

  after(async function () {
    this.timeout(60_000);
    await watcher?.close().catch(() => {});
    await browser?.close();
    if (up) await stopProcess(up);
    if (workDir) await rm(workDir, { recursive: true, force: true, maxRetries: 3 });
  });

  it('has nothing beside the clone and serves the face models it ships', async () => {
    assert.deepEqual((await readdir(workDir!)).sort(), ['data', 'proctor']);
    const config = await (await fetch(`${url}/app-config.json`)).json();
    assert.deepEqual(config.models, { detector: `/models/${MODELS[0]}`, landmarker: `/models/${MODELS[1]}` }, 'face checks are on');
    for (const model of MODELS) {
      const served = await fetch(`${url}/models/${model}`);
      assert.equal(served.status, 200, model);
      assert.ok(Buffer.from(await served.arrayBuffer()).equals(await readFile(join(clone, 'client', 'models', model))), `${model} is the clone's own file`);
    }
  });

  it('two faces in front of the camera: MULTIPLE_FACES reaches the host', async () => {
    const fixture = await liveInterview(url);
    watcher = new AlertWatcher(url, fixture);
    await watcher.socket.request('{ __typename }'); // the subscription is registered
    const camera = await cameraClip(join(clone, 'test', 'fixtures', 'faces', 'two-faces.png'), join(workDir!, 'two-faces.y4m'));
    browser = await launchBrowser({ fakeVideo: camera });
    await joinAsCandidate(browser, fixture.link);
    const alert = await watcher.waitFor('MULTIPLE_FACES', 30_000);
    assert.equal(alert.severity, 'CRITICAL');
  });
});

describe(`proctor up and its face models (${describeDatabase()})`, function () {
  this.timeout(120_000); // `proctor up` processes start on a shared 2-core machine
  let storage: Awaited<ReturnType<typeof freshStorage>>;
  let emptyDir: string;

  before(async function () {
    databaseAgnostic(this); // refused before the database opens, or started without face models; and what npm ships
    storage = await freshStorage({ blank: true });
    emptyDir = await mkdtemp(join(tmpdir(), 'proctor-no-models-'));
  });
  after(async () => {
    await storage?.drop();
    if (emptyDir) await rm(emptyDir, { recursive: true, force: true });
  });

  it('refuses to start without them: exit 2, which files are missing where and how to fix it, no stack trace', async () => {
    const up = new UpProcess(['--port', '0'], { ...storage.env, PROCTOR_FACE_MODELS_DIR: emptyDir });
    try {
      const started = await up.nextLine().catch(() => undefined);
      assert.equal(started, undefined, 'proctor up did not start');
      assert.equal(await up.exited, 2);
      const message = squash(up.stderr);
      assert.ok(message.includes(`PROCTOR_FACE_MODELS_DIR: face model files missing in ${emptyDir}: ${MODELS.join(', ')}.`), message);
      assert.match(message, /restore them \(Proctor ships them in client\/models\)/);
      assert.match(message, /PROCTOR_FACE_MODELS_URL/);
      assert.match(message, /set PROCTOR_FACE_CHECKS=false to run candidate pages without face checks/);
      assert.doesNotMatch(up.stderr, /^\s+at /m, 'no stack trace');
      assert.equal(existsSync(join(storage.env.PROCTOR_DATA_DIR!, 'pgdata')), false, 'refused before opening the database');
    } finally {
      await up.kill();
    }
  });

  it('starts without them when PROCTOR_FACE_CHECKS=false, warns once, and tells the page face checks are off', async () => {
    const env = { ...storage.env, PROCTOR_FACE_MODELS_DIR: emptyDir, PROCTOR_FACE_CHECKS: 'false', PROCTOR_LOG_LEVEL: 'info' };
    const { up, url } = await UpProcess.started(env);
    try {
      const config = await (await fetch(`${url}/app-config.json`)).json();
      assert.equal(config.models, null);
      assert.equal(await up.stop('SIGTERM'), 0);
      const warnings = up.stderr.split('\n').filter((line) => line.includes('FACE CHECKS ARE OFF'));
      assert.equal(warnings.length, 1, up.stderr);
      assert.match(warnings[0]!, /"level":40.*PROCTOR_FACE_CHECKS=false.*no FACE_MISSING, MULTIPLE_FACES or LOOKING_AWAY/);
    } finally {
      await up.kill();
    }
  });

  it('ships them: in git (not ignored) and in the npm package, with their licence and notice, beside the test pictures', async () => {
    const shipped = [
      ...MODELS.map((model) => `client/models/${model}`),
      'client/models/NOTICE',
      'client/models/LICENSE',
      'test/fixtures/faces/two-faces.png',
      'test/fixtures/faces/README.md',
    ];
    const tracked = (await run('git', ['ls-files', '--', ...shipped], { cwd: REPO }).catch(() => undefined))?.split('\n').filter(Boolean);
    if (tracked) assert.deepEqual(tracked.sort(), [...shipped].sort(), 'committed');
    const [pack] = JSON.parse(await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, env: userEnv() }));
    const packed = new Set((pack.files as { path: string }[]).map((file) => file.path));
    for (const file of shipped) assert.ok(packed.has(file), `npm pack includes ${file}`);
  });
});
