// The `proctor` CLI end to end: real processes (`node cli/bin/run.js …`), each "user" with its own
// config dir, against a real server (embedded database, or the PostgreSQL server in
// PROCTOR_TEST_DATABASE_URL); and `proctor up` itself, started and stopped by signals.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GraphQLEnumType } from 'graphql';
import { API_TOKEN_SCOPES } from '../cli/api-tokens.ts';
import { schema } from '../schema/index.ts';
import { uniqueEmail } from './support/graphql.ts';
import { STOP_MARGIN_MS } from '../cli/signals.ts';
import type { HangingServer } from './support/hanging-server.ts';
import { HANGING_WEBHOOK_ENV, startHangingWebhookJob } from './support/job-in-flight.ts';
import { spawnProctor, squash, UpProcess } from './support/proctor-cli.ts';
import { describeDatabase, freshStorage, startTestPlatform, USING_SERVER, type TestPlatform } from './support/platform.ts';
import { until, within } from './support/until.ts';

const PASSWORD = 'correct horse battery';

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A CLI user: their own config dir, as `proctor login` would write it in their home. */
class CliUser {
  readonly configDir: string;

  private constructor(configDir: string) {
    this.configDir = configDir;
  }

  static async create(): Promise<CliUser> {
    return new CliUser(await mkdtemp(join(tmpdir(), 'proctor-cli-')));
  }

  get configFile(): string {
    return join(this.configDir, 'config.json');
  }

  async run(args: string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<Outcome> {
    const child = spawnProctor(args, { PROCTOR_CONFIG_DIR: this.configDir, ...options.env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdin.end(options.input);
    const [code] = (await once(child, 'close')) as [number | null];
    return { code, stdout, stderr };
  }

  /** Runs with --json, expects success and returns the parsed output. */
  async json<T = any>(args: string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<T> {
    const outcome = await this.run([...args, '--json'], options);
    assert.equal(outcome.code, 0, `proctor ${args.join(' ')} failed: ${outcome.stderr}${outcome.stdout}`);
    return JSON.parse(outcome.stdout) as T;
  }

  async savedSettings(): Promise<{ server?: string; token?: string; email?: string }> {
    return JSON.parse(await readFile(this.configFile, 'utf8'));
  }

  async remove(): Promise<void> {
    await rm(this.configDir, { recursive: true, force: true });
  }
}

async function listen(server: Server): Promise<{ server: Server; url: string }> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe(`proctor CLI (${describeDatabase()})`, () => {
  let server: TestPlatform;
  let ada: CliUser;
  let adaEmail: string;
  let signup: Outcome;

  before(async () => {
    server = await startTestPlatform();
    ada = await CliUser.create();
    adaEmail = uniqueEmail('ada');
    signup = await ada.run(['signup', '--server', server.url, '--email', adaEmail, '--org', 'Acme'], { input: `${PASSWORD}\n` });
    assert.equal(signup.code, 0, signup.stderr);
  });
  after(async () => {
    await ada?.remove();
    await server?.stop();
  });

  async function createInterview(title: string): Promise<string> {
    return (await ada.json(['interviews', 'create', '--title', title])).id;
  }

  describe('accounts', () => {
    it('signs up with the password from stdin and saves the login owner-only for later commands', async () => {
      assert.match(signup.stdout, new RegExp(`Logged in to ${server.url} as ${adaEmail}`));
      const file = await stat(ada.configFile);
      assert.equal(file.mode & 0o777, 0o600);
      const saved = await ada.savedSettings();
      assert.equal(saved.server, server.url);
      assert.equal(saved.email, adaEmail);
      assert.match(saved.token ?? '', /^ey/, 'a JWT');

      const whoami = await ada.run(['whoami']);
      assert.equal(whoami.code, 0, whoami.stderr);
      assert.equal(whoami.stdout.trim(), `${adaEmail} in Acme on ${server.url}`);
      const me = await ada.json(['whoami']);
      assert.deepEqual({ email: me.host.email, org: me.org.name, apiToken: me.apiToken }, { email: adaEmail, org: 'Acme', apiToken: null });
    });

    it('takes the token from --token, then PROCTOR_TOKEN, then the saved login', async () => {
      const bob = await CliUser.create();
      try {
        const bobEmail = uniqueEmail('bob');
        const bobLogin = await bob.json(['signup', '--server', server.url, '--email', bobEmail, '--org', 'Globex', '--password', PASSWORD]);
        const adaToken = (await ada.savedSettings()).token!;

        const fromFile = await ada.json(['whoami']);
        const fromEnv = await ada.json(['whoami'], { env: { PROCTOR_TOKEN: bobLogin.token } });
        const fromFlag = await ada.json(['whoami', '--token', adaToken], { env: { PROCTOR_TOKEN: bobLogin.token } });
        assert.deepEqual([fromFile.host.email, fromEnv.host.email, fromFlag.host.email], [adaEmail, bobEmail, adaEmail]);
        assert.equal(fromEnv.org.name, 'Globex');
      } finally {
        await bob.remove();
      }
    });

    it('never sends the saved login to a different server', async () => {
      const seen: (string | undefined)[] = [];
      const impostor = await listen(
        createServer((request, response) => {
          seen.push(request.headers.authorization);
          response.setHeader('content-type', 'application/json');
          response.end(JSON.stringify({ errors: [{ message: 'Authentication required', extensions: { code: 'UNAUTHENTICATED' } }] }));
        }),
      );
      try {
        const outcome = await ada.run(['whoami', '--server', impostor.url]);
        assert.equal(outcome.code, 3);
        assert.deepEqual(seen, [undefined]);
        assert.match(squash(outcome.stderr), /Error: Authentication required Code: UNAUTHENTICATED Try this: Log in with `proctor login`/);
      } finally {
        impostor.server.close();
      }
    });

    it('logs out (voiding the login on the server), refuses a wrong password, and logs back in as the saved email with the password on stdin', async () => {
      const { token: loggedOut } = await ada.savedSettings();
      const logout = await ada.run(['logout']);
      assert.equal(logout.code, 0, logout.stderr);
      assert.equal(logout.stdout.trim(), `Logged out of ${server.url}: the login is void on the server and removed from ${ada.configFile}`);
      assert.deepEqual(await ada.savedSettings(), { server: server.url, email: adaEmail });
      const replayed = await ada.run(['whoami', '--token', loggedOut!]);
      assert.equal(replayed.code, 3, 'the server refuses the logged-out login');
      assert.match(squash(replayed.stderr), /Your login is no longer valid: log in again Code: UNAUTHENTICATED/);

      const anonymous = await ada.run(['whoami']);
      assert.equal(anonymous.code, 3);
      assert.match(squash(anonymous.stderr), /Code: UNAUTHENTICATED Try this: Log in with `proctor login`/);

      const wrong = await ada.run(['login'], { input: 'not the password\n' });
      assert.equal(wrong.code, 3);
      assert.match(squash(wrong.stderr), /Error: Invalid email or password Code: UNAUTHENTICATED/);

      const login = await ada.run(['login'], { input: `${PASSWORD}\n` });
      assert.equal(login.code, 0, login.stderr);
      assert.equal((await ada.json(['whoami'])).host.email, adaEmail);
    });

    it('logs out with the server down: forgets the login here and says the server could not be told', async () => {
      const closed = await listen(createServer());
      await new Promise((resolve) => closed.server.close(resolve));
      const offline = await CliUser.create();
      try {
        const settings = { server: closed.url, token: (await ada.savedSettings()).token, email: adaEmail };
        await writeFile(offline.configFile, JSON.stringify(settings), { mode: 0o600 });
        const logout = await offline.run(['logout']);
        assert.equal(logout.code, 0, logout.stderr);
        assert.equal(logout.stdout.trim(), `Logged out (token removed from ${offline.configFile})`);
        assert.match(
          squash(logout.stderr),
          new RegExp(`Warning: The server at ${closed.url} could not be told \\(Cannot reach .*ECONNREFUSED.*\\): the login stays valid there until it expires`),
        );
        assert.deepEqual(await offline.savedSettings(), { server: closed.url, email: adaEmail });

        await writeFile(offline.configFile, JSON.stringify(settings), { mode: 0o600 });
        const { serverError, ...result } = await offline.json(['logout']);
        assert.deepEqual(result, { loggedOut: true, configFile: offline.configFile, server: closed.url, revokedOnServer: false });
        assert.equal(serverError.code, 'UNREACHABLE');
        assert.match(serverError.message, /Cannot reach the Proctor server .*ECONNREFUSED/);
        assert.equal((await ada.json(['whoami'])).host.email, adaEmail, 'the login that could not be voided still works');
        const again = await offline.run(['logout']);
        assert.deepEqual([again.code, again.stdout.trim()], [0, 'Not logged in']);
      } finally {
        await offline.remove();
      }
    });
  });

  describe('interviews and candidates', () => {
    it('drives an interview from creation to the archive', async () => {
      const created = await ada.json([
        'interviews',
        'create',
        '--title',
        'Senior TypeScript engineer',
        '--scheduled-at',
        '2026-12-01T14:00:00Z',
        '--strict',
        '--require-fullscreen',
        '--audio-policy',
        'IGNORE',
        '--look-away-degrees',
        '25',
        '--retention-days',
        '30',
      ]);
      assert.equal(created.status, 'SCHEDULED');
      assert.equal(new Date(created.scheduledAt).toISOString(), '2026-12-01T14:00:00.000Z');
      assert.deepEqual(created.config, {
        strictMode: true,
        requireFullscreen: true,
        allowCopyPaste: false,
        audioPolicy: 'IGNORE',
        lookAwayDegrees: 25,
        retentionDays: 30,
        screenShare: 'OFF',
      });
      const { id } = created;

      const list = await ada.run(['interviews', 'list']);
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /^ID +STATUS +SCHEDULED +TITLE$/m);
      assert.match(list.stdout, new RegExp(`^${id} +SCHEDULED +2026-12-01T14:00:00Z +Senior TypeScript engineer$`, 'm'));

      // Changed before it starts: only the rules given, the others kept.
      const updated = await ada.json(['interviews', 'update', id, '--no-strict', '--look-away-degrees', '30', '--scheduled-at', '2026-12-01T15:00:00Z']);
      assert.equal(new Date(updated.scheduledAt).toISOString(), '2026-12-01T15:00:00.000Z');
      assert.deepEqual(updated.config, { ...created.config, strictMode: false, lookAwayDegrees: 30 });
      const updatedText = await ada.run(['interviews', 'update', id, '--require-fullscreen']);
      assert.equal(updatedText.code, 0, updatedText.stderr);
      assert.match(updatedText.stdout, /^Rules: strict mode off, fullscreen required, .*looking away beyond 30°/m);

      const start = await ada.run(['interviews', 'start', id]);
      assert.equal(start.code, 0, start.stderr);
      const late = await ada.run(['interviews', 'update', id, '--title', 'Too late']);
      assert.equal(late.code, 5, 'a started interview is not changed');
      assert.match(squash(late.stderr), /Cannot change an interview that is LIVE: only a SCHEDULED one Code: CONFLICT/);
      assert.equal(start.stdout.trim(), `Interview ${id} "Senior TypeScript engineer" is now LIVE`);

      const invitation = await ada.json(['candidates', 'invite', '--interview', id, '--name', 'Grace Hopper', '--email', 'grace@example.com']);
      assert.ok(invitation.link.startsWith(`${server.url}/i/`), invitation.link);
      assert.deepEqual([invitation.candidate.name, invitation.candidate.interviewId], ['Grace Hopper', id]);

      const show = await ada.run(['interviews', 'show', id]);
      assert.equal(show.code, 0, show.stderr);
      assert.match(show.stdout, /^Senior TypeScript engineer \(LIVE\)$/m);
      assert.match(show.stdout, /^Rules +strict mode off, fullscreen required, copy\/paste flagged, audio ignored, looking away beyond 30°/m);
      assert.match(show.stdout, new RegExp(`^${invitation.candidate.id} +Grace Hopper +grace@example.com `, 'm'));
      const shown = await ada.json(['interviews', 'show', id]);
      assert.deepEqual(
        shown.candidates.map((c: { email: string }) => c.email),
        ['grace@example.com'],
      );

      const early = await ada.run(['interviews', 'archive', id]);
      assert.equal(early.code, 5, 'a conflicting state exits 5');
      assert.match(squash(early.stderr), /Error: Cannot archive an interview that is LIVE \(it must be COMPLETED\) Code: CONFLICT/);
      const earlyJson = await ada.run(['interviews', 'archive', id, '--json']);
      assert.equal(earlyJson.code, 5);
      assert.equal(JSON.parse(earlyJson.stdout).error.code, 'CONFLICT');

      const ended = await ada.json(['interviews', 'end', id]);
      assert.equal(ended.status, 'COMPLETED');
      assert.ok(ended.endedAt);
      const archived = await ada.json(['interviews', 'archive', id]);
      assert.equal(archived.status, 'ARCHIVED');
      const archivedList = await ada.json(['interviews', 'list', '--status', 'ARCHIVED']);
      assert.deepEqual(
        archivedList.interviews.map((i: { id: string }) => i.id),
        [id],
      );
    });

    it('pages through interviews one page at a time or all at once', async () => {
      const ids = [await createInterview('Paging one'), await createInterview('Paging two')];
      const firstPage = await ada.json(['interviews', 'list', '--first', '1']);
      assert.equal(firstPage.interviews.length, 1);
      assert.ok(firstPage.nextCursor, 'more pages announced');
      const human = await ada.run(['interviews', 'list', '--first', '1']);
      assert.match(human.stdout, new RegExp(`More: repeat with --after ${firstPage.nextCursor}`));
      const rest = await ada.json(['interviews', 'list', '--first', '1', '--after', firstPage.nextCursor]);
      assert.notEqual(rest.interviews[0].id, firstPage.interviews[0].id);

      const everything = await ada.json(['interviews', 'list', '--first', '1', '--all']);
      assert.equal(everything.nextCursor, null);
      const all = everything.interviews.map((i: { id: string }) => i.id);
      assert.equal(new Set(all).size, all.length, 'no interview twice');
      for (const id of ids) assert.ok(all.includes(id));
    });

    it("reports an unknown interview as not found (exit 4) and invalid input with the server's message (exit 5)", async () => {
      const unknown = '6f1c1a9e-8f8e-4f5e-9d7a-1b2c3d4e5f60';
      const missing = await ada.run(['interviews', 'show', unknown]);
      assert.equal(missing.code, 4);
      assert.match(squash(missing.stderr), new RegExp(`Error: Interview ${unknown} not found Code: NOT_FOUND`));

      const invalid = await ada.run(['interviews', 'create', '--title', 'x', '--look-away-degrees', '200']);
      assert.equal(invalid.code, 5);
      assert.match(squash(invalid.stderr), /Error: config.lookAwayDegrees: must be a whole number from 5 to 90 Code: BAD_USER_INPUT/);
    });
  });

  describe('API tokens', () => {
    it('creates a token that acts for the org, lists it, and revokes it', async () => {
      const created = await ada.json(['tokens', 'create', '--name', 'greenhouse']);
      assert.match(created.token, /^ptk_/);
      assert.equal(created.apiToken.name, 'greenhouse');

      const list = await ada.run(['tokens', 'list']);
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, new RegExp(`^${created.apiToken.id} +greenhouse +${created.apiToken.prefix} `, 'm'));

      const asToken = await ada.run(['whoami', '--token', created.token]);
      assert.equal(asToken.stdout.trim(), `API token "greenhouse" in Acme on ${server.url}`);

      const revoked = await ada.json(['tokens', 'revoke', created.apiToken.id]);
      assert.ok(revoked.revokedAt);
      const refused = await ada.run(['whoami', '--token', created.token]);
      assert.equal(refused.code, 3);
      assert.match(squash(refused.stderr), /Error: The API token has been revoked Code: UNAUTHENTICATED/);
      const listed = await ada.json(['tokens', 'list', '--all']);
      const entry = listed.apiTokens.find((t: { id: string }) => t.id === created.apiToken.id);
      assert.equal(entry.revokedAt, revoked.revokedAt);
    });

    it('creates a token with the scopes given by a repeated --scope, which bound what it may do', async () => {
      const ops = await ada.json(['tokens', 'create', '--name', 'ops', '--scope', 'ADMIN', '--scope', 'LIVE']);
      assert.deepEqual([...ops.apiToken.scopes].sort(), ['ADMIN', 'LIVE']);
      const defaults = await ada.json(['tokens', 'create', '--name', 'ats']);
      assert.deepEqual([...defaults.apiToken.scopes].sort(), ['INTERVIEWS_READ', 'INTERVIEWS_WRITE'], 'no --scope: what an ATS integration needs');
      const wallboard = await ada.run(['tokens', 'create', '--name', 'wallboard', '--scope', 'INTERVIEWS_READ']);
      assert.equal(wallboard.code, 0, wallboard.stderr);
      assert.match(wallboard.stdout, /^Created API token "wallboard" \([0-9a-f-]+\) with INTERVIEWS_READ\. Copy the secret now/);

      const listed = await ada.run(['tokens', 'list', '--token', ops.token]);
      assert.equal(listed.code, 0, `ADMIN lists the tokens: ${listed.stderr}`);
      assert.match(listed.stdout, new RegExp(`^${ops.apiToken.id} +ops +${ops.apiToken.prefix} +(ADMIN,LIVE|LIVE,ADMIN) `, 'm'));
      const refused = await ada.run(['interviews', 'list', '--token', ops.token]);
      assert.equal(refused.code, 3);
      assert.match(squash(refused.stderr), /This API token lacks the interviews:read scope/);

      const unknown = await ada.run(['tokens', 'create', '--name', 'root', '--scope', 'EVERYTHING']);
      assert.equal(unknown.code, 2);
      assert.match(squash(unknown.stderr), /Expected --scope=EVERYTHING to be one of: INTERVIEWS_READ, INTERVIEWS_WRITE, LIVE, ADMIN/);
      const help = await ada.run(['tokens', 'create', '--help']);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /--scope=<option>\.\.\./);
      assert.match(help.stdout, /\$ proctor tokens create --name wallboard --scope LIVE --scope/);
    });

    it('offers exactly the API token scopes the schema has', () => {
      const values = (schema.getType('ApiTokenScope') as GraphQLEnumType).getValues().map((value) => value.name);
      assert.deepEqual([...API_TOKEN_SCOPES].sort(), values.sort());
    });
  });

  describe('failures and help', () => {
    it('says when the server cannot be reached (exit 7)', async () => {
      const closed = await listen(createServer());
      await new Promise((resolve) => closed.server.close(resolve));
      const outcome = await ada.run(['interviews', 'list', '--server', closed.url]);
      assert.equal(outcome.code, 7);
      assert.match(squash(outcome.stderr), new RegExp(`Cannot reach the Proctor server at ${closed.url} — is \`proctor up\` running\\? \\(connect ECONNREFUSED`));
    });

    it('rejects bad usage with exit 2 and shows examples in --help', async () => {
      const missingTitle = await ada.run(['interviews', 'create']);
      assert.equal(missingTitle.code, 2);
      assert.match(squash(missingTitle.stderr), /Missing required flag title/);
      const badServer = await ada.run(['whoami', '--server', 'localhost:4000']);
      assert.equal(badServer.code, 2);
      assert.match(squash(badServer.stderr), /The server must be an http\(s\) URL/);

      const help = await ada.run(['interviews', 'create', '--help']);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /EXAMPLES\n {2}\$ proctor interviews create --title/);
      assert.match(help.stdout, /Exit codes: 0 success/);
    });
  });
});

describe(`proctor up (${describeDatabase()})`, () => {
  let storage: Awaited<ReturnType<typeof freshStorage>>;

  before(async () => {
    storage = await freshStorage({ blank: true });
  });
  after(async () => storage?.drop());

  it('starts on the first run with progress, the URL and how to create the first host; stops on SIGINT', async () => {
    const up = new UpProcess(['--port', '0', '--data-dir', storage.env.PROCTOR_DATA_DIR!], storage.env);
    try {
      const upLine = await up.nextLine();
      const url = /^Proctor is up at (http:\/\/127\.0\.0\.1:\d+)$/.exec(upLine)?.[1];
      assert.ok(url, upLine);
      assert.match(up.stderr, USING_SERVER ? /✔ PostgreSQL server {2}postgres:\/\/\S+ \(\d+\.\d s\)/ : /✔ embedded PostgreSQL {2}\S+pgdata \(\d+\.\d s\)/);
      assert.match(up.stderr, /✔ migrations {2}applied /);
      assert.equal((await fetch(`${url}/readyz`)).status, 200);
      assert.equal(await up.stop('SIGINT'), 0);
      assert.match(up.stderr, /Stopping \(SIGINT\)…\nStopped/);

      const hint = `No host yet. Create the first one:\n  proctor signup --server ${url} --email you@example.com --org "Your organisation"\n`;
      // On a database server a fresh start cannot be told apart from a populated one.
      assert.equal(await up.remainingStdout(), USING_SERVER ? '' : hint);
    } finally {
      await up.kill();
    }
  });

  it('restarts on the same data with --port 0, prints the URL as one JSON line, and stops on SIGTERM', async () => {
    const up = new UpProcess(['--port', '0', '--data-dir', storage.env.PROCTOR_DATA_DIR!, '--json'], storage.env);
    try {
      const started = JSON.parse(await up.nextLine());
      assert.deepEqual(Object.keys(started).sort(), ['dataDir', 'database', 'url']);
      assert.equal(started.database, USING_SERVER ? 'server' : 'embedded');
      assert.equal(started.dataDir, storage.env.PROCTOR_DATA_DIR);
      assert.doesNotMatch(started.url, /:0$/, 'the real port, not 0');
      assert.equal((await fetch(`${started.url}/readyz`)).status, 200);
      assert.equal(await up.stop('SIGTERM'), 0);
      assert.equal(await up.remainingStdout(), '', 'nothing but the JSON line on stdout');
    } finally {
      await up.kill();
    }
  });

  describe('with a job in flight', function () {
    this.timeout(120_000); // a server, a webhook receiver and a candidate on a shared 2-core machine
    let receiver: HangingServer | undefined;
    let up: UpProcess | undefined;
    afterEach(async () => {
      await up?.kill();
      await receiver?.close();
    });

    it('stops on SIGTERM within PROCTOR_SHUTDOWN_TIMEOUT and the stop margin', async () => {
      const started = await UpProcess.started({ ...storage.env, ...HANGING_WEBHOOK_ENV, PROCTOR_SHUTDOWN_TIMEOUT: '1s', PROCTOR_LOG_LEVEL: 'warn' });
      up = started.up;
      receiver = await startHangingWebhookJob(started.url);
      up.signal('SIGTERM');
      // The requirement, doubled for a busy machine.
      assert.equal(await within('proctor up to stop', up.exited, 2 * (1000 + STOP_MARGIN_MS)), 0, up.stderr);
      assert.match(up.stderr, /jobs still running at shutdown/);
    });

    it('stops at once, with exit code 143, on a second SIGTERM during a slow stop', async () => {
      const started = await UpProcess.started({ ...storage.env, ...HANGING_WEBHOOK_ENV, PROCTOR_SHUTDOWN_TIMEOUT: '10m', PROCTOR_LOG_LEVEL: 'info' });
      up = started.up;
      receiver = await startHangingWebhookJob(started.url);
      up.signal('SIGTERM');
      await until('the stop to start', async () => up!.stderr.includes('"msg":"shutting down"'));
      up.signal('SIGTERM');
      assert.equal(await within('proctor up to stop', up.exited, 10_000), 143, up.stderr);
      assert.match(up.stderr, /SIGTERM again: stopping at once/);
    });
  });

  it('refuses an invalid configuration with exit 2, listing the problems', async () => {
    const up = new UpProcess([], { PROCTOR_PROT: '4000' });
    assert.equal(await up.exited, 2);
    assert.match(squash(up.stderr), /PROCTOR_PROT is not a Proctor setting \(did you mean PROCTOR_PORT\?\)/);
  });
});
