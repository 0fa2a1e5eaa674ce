// Credentials at their edges, end to end against a real server: revocation and expiry reach
// open graphql-ws sockets and running subscriptions, API token scopes, room logins, host logout,
// and the login / sign-up rate limits (per client address, over HTTP and graphql-ws alike).
import assert from 'node:assert/strict';
import { GraphQLClient, signUp, uniqueEmail } from './support/graphql.ts';
import { SocketPool, connect, type WsClient } from './support/live.ts';
import { describeDatabase, startTestPlatform, USING_SERVER, type TestPlatform } from './support/platform.ts';
import { withTwoServers } from './support/proctor-cli.ts';
import { until, within } from './support/until.ts';
import { START_INTERVIEW, END_INTERVIEW } from './support/host-operations.ts';
import { DEVICE, JOIN_SESSION } from './support/candidate-fixtures.ts';

const PASSWORD = 'correct horse battery';
/** Short, so that a revocation whose notification was lost is caught within the test. */
const RECHECK_INTERVAL_MS = 1_000;
const LOGIN = 'mutation($email: String!, $password: String!) { logIn(email: $email, password: $password) { token } }';
const SIGN_UP = 'mutation($email: String!) { signUp(email: $email, password: "correct horse battery", orgName: "Limits") { token } }';
const CREATE_TOKEN = 'mutation($scopes: [ApiTokenScope!]) { createApiToken(name: "ats", scopes: $scopes) { token apiToken { id scopes } } }';
const EVENTS = 'subscription($id: ID!) { interviewEvents(interviewId: $id) { __typename ... on InterviewStatusChanged { status } } }';

async function liveInterview(host: GraphQLClient): Promise<{ id: string; candidateId: string; joinToken: string }> {
  const id = (await host.ok('mutation { createInterview(input: { title: "Auth" }) { interview { id } } }')).createInterview.interview.id;
  const invite = await host.ok('mutation($id: ID!) { inviteCandidate(interviewId: $id, name: "Ada", email: "ada@example.com") { token candidate { id } } }', { id });
  await host.ok(START_INTERVIEW, { id });
  return { id, candidateId: invite.inviteCandidate.candidate.id, joinToken: invite.inviteCandidate.token };
}

describe(`credentials on open connections (${describeDatabase()})`, () => {
  let server: TestPlatform;
  let anonymous: GraphQLClient;
  let host: GraphQLClient;
  let email: string;
  const sockets = new SocketPool(() => server.url);

  before(async () => {
    server = await startTestPlatform({ socketRecheckIntervalMs: RECHECK_INTERVAL_MS });
    anonymous = new GraphQLClient(server.url);
    ({ client: host, email } = await signUp(anonymous));
  });
  afterEach(() => sockets.closeAll());
  after(async () => server?.stop());

  /** Until the server has a subscription on the interview's events (a host's, or a candidate's status). */
  const listening = (interviewId: string) => until('the subscription', async () => server.platform.services.interviewEvents.listenerCount(interviewId) > 0);

  it('closes the socket of a revoked API token (4401) and ends its running subscription', async () => {
    const { id } = await liveInterview(host);
    const created = (await host.ok(CREATE_TOKEN, { scopes: ['INTERVIEWS_READ', 'LIVE'] })).createApiToken;
    const socket = sockets.open(created.token);
    assert.equal((await socket.request('{ me { apiToken { id } } }')).me.apiToken.id, created.apiToken.id);
    const watching = socket.subscribe(EVENTS, { id });
    await host.ok('mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }', { id: created.apiToken.id });
    const closed = await within('socket close', socket.closed, 10_000);
    assert.deepEqual(closed, { code: 4401, reason: 'The API token has been revoked' });
    await within('subscription end', watching.error(10_000), 10_000);
    assert.equal((await anonymous.withToken(created.token).error('{ me { org { id } } }')).code, 'UNAUTHENTICATED');
  });

  it('verifies a socket’s credential against the database again once the recheck interval has passed', async () => {
    const created = (await host.ok(CREATE_TOKEN)).createApiToken;
    const socket = sockets.open(created.token);
    await socket.request('{ me { org { id } } }');
    // Revoked behind the server's back (as by a process whose notification never arrived).
    await server.platform.orm.em.getConnection().execute('update api_tokens set revoked_at = now() where id = ?', [created.apiToken.id]);
    const refusal = await until(`an operation refused within the ${RECHECK_INTERVAL_MS} ms recheck interval`, () =>
      socket.request('{ me { org { id } } }').then(
        (): false => false,
        (errors: unknown) => JSON.stringify(errors),
      ),
    );
    assert.match(refusal, /"message":"The API token has been revoked"/);
    assert.deepEqual(await within('socket close', socket.closed, 10_000), { code: 4401, reason: 'The API token has been revoked' });
  });

  it('closes a candidate socket when the interview ends, after telling it the interview is over', async () => {
    const { id, joinToken } = await liveInterview(host);
    const candidate = sockets.open(joinToken);
    await candidate.request(JOIN_SESSION, { device: DEVICE });
    const status = candidate.subscribe('subscription { interviewStatus }');
    await listening(id);
    await host.ok(END_INTERVIEW, { id });
    assert.deepEqual((await status.next(10_000)).data, { interviewStatus: 'COMPLETED' });
    assert.deepEqual(await within('socket close', candidate.closed, 10_000), { code: 4401, reason: 'The interview is over' });
  });

  it('ends an SSE subscription when its API token is revoked', async () => {
    const { id } = await liveInterview(host);
    const created = (await host.ok(CREATE_TOKEN, { scopes: ['LIVE'] })).createApiToken;
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${created.token}` },
      body: JSON.stringify({ query: EVENTS, variables: { id } }),
    });
    assert.equal(response.status, 200);
    await listening(id);
    const reader = response.body!.getReader();
    let text = '';
    const ended = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return text;
        text += new TextDecoder().decode(value);
      }
    })();
    await host.ok('mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }', { id: created.apiToken.id });
    const stream = await within('SSE stream end', ended, 10_000);
    assert.match(stream, /"message":"The API token has been revoked".*"code":"UNAUTHENTICATED"/);
  });

  it('logOut voids this login everywhere and closes its sockets; other logins stay', async () => {
    const first = anonymous.withToken((await anonymous.ok(LOGIN, { email, password: PASSWORD })).logIn.token);
    const second = anonymous.withToken((await anonymous.ok(LOGIN, { email, password: PASSWORD })).logIn.token);
    const socket = sockets.open(first.token);
    await socket.request('{ me { host { email } } }');
    assert.deepEqual(await first.ok('mutation { logOut }'), { logOut: true });
    assert.deepEqual(await within('socket close', socket.closed, 10_000), { code: 4401, reason: 'You logged out' });
    assert.deepEqual(await first.error('{ me { host { email } } }'), { code: 'UNAUTHENTICATED', message: 'Your login is no longer valid: log in again' });
    assert.equal((await second.ok('{ me { host { email } } }')).me.host.email, email);
    assert.equal((await anonymous.withToken(`ptk_${'x'.repeat(43)}`).error('mutation { logOut }')).code, 'UNAUTHENTICATED');
  });

  it('changePassword and logOutEverywhere void every login of the host', async () => {
    const { client: owner, email: ownerEmail } = await signUp(anonymous, 'Rotating');
    const other = anonymous.withToken((await anonymous.ok(LOGIN, { email: ownerEmail, password: PASSWORD })).logIn.token);
    const socket = sockets.open(other.token);
    await socket.request('{ me { host { email } } }');
    const change = 'mutation($current: String!, $next: String!) { changePassword(currentPassword: $current, newPassword: $next) { token } }';
    assert.equal((await owner.error(change, { current: 'not the password', next: 'a new password' })).code, 'UNAUTHENTICATED');
    const fresh = anonymous.withToken((await owner.ok(change, { current: PASSWORD, next: 'a new password' })).changePassword.token);
    assert.deepEqual(await within('socket close', socket.closed, 10_000), { code: 4401, reason: 'Your password was changed' });
    for (const stale of [owner, other]) assert.equal((await stale.error('{ me { org { id } } }')).code, 'UNAUTHENTICATED');
    assert.equal((await fresh.ok('{ me { host { email } } }')).me.host.email, ownerEmail);
    assert.equal((await anonymous.error(LOGIN, { email: ownerEmail, password: PASSWORD })).code, 'UNAUTHENTICATED');
    const again = anonymous.withToken((await anonymous.ok(LOGIN, { email: ownerEmail, password: 'a new password' })).logIn.token);
    assert.deepEqual(await fresh.ok('mutation { logOutEverywhere }'), { logOutEverywhere: true });
    for (const stale of [fresh, again]) assert.equal((await stale.error('{ me { org { id } } }')).code, 'UNAUTHENTICATED');
  });

  it('gives API tokens the ATS scopes by default; org administration needs the admin scope or a host', async () => {
    const { client: admin } = await signUp(anonymous, 'Scoped');
    const created = (await admin.ok('mutation { createApiToken(name: "Greenhouse") { token apiToken { scopes } } }')).createApiToken;
    assert.deepEqual(created.apiToken.scopes, ['INTERVIEWS_READ', 'INTERVIEWS_WRITE']);
    const ats = anonymous.withToken(created.token);
    const id = (await ats.ok('mutation { createInterview(input: { title: "From the ATS" }) { interview { id } } }')).createInterview.interview.id;
    await ats.ok('mutation($id: ID!) { inviteCandidate(interviewId: $id, name: "Bo", email: "bo@example.com") { link } }', { id });
    await ats.ok('{ interviews { edges { node { id } } } }');
    await ats.ok('query($id: ID!) { reports(interviewId: $id) { id } }', { id });
    const forbidden: [string, Record<string, unknown>][] = [
      ['mutation { setOrgRetention(retentionDays: 1) { retentionDays } }', {}],
      ['mutation($id: ID!) { deleteWebhook(id: $id) { id } }', { id: '00000000-0000-4000-8000-000000000000' }],
      ['mutation { createWebhook(url: "https://example.com/other", events: [REPORT_READY]) { secret } }', {}],
      ['{ webhooks { id } }', {}],
      ['{ apiTokens { edges { node { id } } } }', {}],
    ];
    for (const [query, variables] of forbidden) {
      const error = await ats.error(query, variables);
      assert.equal(error.code, 'FORBIDDEN', query);
      assert.match(error.message, /lacks the admin scope/);
    }
    const watch = sockets.open(created.token).subscribe(EVENTS, { id });
    assert.match((await watch.error())[0].message, /lacks the live scope/);
    assert.equal((await admin.ok('{ org: me { org { retentionDays } } }')).org.org.retentionDays, 90, 'retention untouched');

    const adminToken = anonymous.withToken((await admin.ok(CREATE_TOKEN, { scopes: ['ADMIN'] })).createApiToken.token);
    assert.equal((await adminToken.ok('mutation { setOrgRetention(retentionDays: 30) { retentionDays } }')).setOrgRetention.retentionDays, 30);
    assert.equal((await adminToken.error('mutation { createInterview(input: { title: "x" }) { interview { id } } }')).code, 'FORBIDDEN');
    assert.equal((await admin.error(CREATE_TOKEN, { scopes: [] })).code, 'BAD_USER_INPUT');
  });

  it("turns a room link into a login for that interview's room only, which ends with the interview", async () => {
    const { client: owner } = await signUp(anonymous, 'Room');
    const { id, candidateId } = await liveInterview(owner);
    const other = await liveInterview(owner);
    const link = (await owner.ok('mutation($id: ID!) { createRoomLink(interviewId: $id) { url } }', { id })).createRoomLink.url as string;
    const linkToken = link.split('#')[1];
    const entered = (await anonymous.ok('mutation($t: String!) { enterRoom(token: $t) { token interviewId expiresAt } }', { t: linkToken })).enterRoom;
    assert.equal(entered.interviewId, id);
    assert.ok(Date.parse(entered.expiresAt) - Date.now() <= 4 * 3_600_000, 'bounded by PROCTOR_ROOM_SESSION_TTL');
    const room = anonymous.withToken(entered.token);

    // What the room page does: read its interview, watch it, ping its candidate.
    assert.equal((await room.ok('query($id: ID!) { interview(id: $id) { candidates { edges { node { id } } } } }', { id })).interview.candidates.edges[0].node.id, candidateId);
    const socket = sockets.open(entered.token);
    const watching = socket.subscribe(EVENTS, { id });
    await listening(id);
    await socket.request('mutation($c: ID!) { pingCandidate(candidateId: $c, message: "hello") { delivered } }', { c: candidateId });

    // Nothing else of the org.
    assert.equal((await room.error('{ interviews { edges { node { id } } } }')).code, 'FORBIDDEN');
    assert.equal((await room.error('query($id: ID!) { interview(id: $id) { id } }', { id: other.id })).code, 'NOT_FOUND');
    assert.equal((await room.error('query($id: ID!) { reports(interviewId: $id) { id } }', { id: other.id })).code, 'NOT_FOUND');
    assert.equal((await room.error('mutation($c: ID!) { pingCandidate(candidateId: $c, message: "hi") { delivered } }', { c: other.candidateId })).code, 'NOT_FOUND');
    for (const query of [
      'mutation { createInterview(input: { title: "x" }) { interview { id } } }',
      'mutation { setOrgRetention(retentionDays: 1) { retentionDays } }',
      'mutation { createApiToken(name: "x") { token } }',
      `mutation { createRoomLink(interviewId: "${id}") { url } }`,
      `mutation { endInterview(id: "${id}") { status } }`,
      'mutation { logOutEverywhere }',
    ]) {
      assert.equal((await room.error(query)).code, 'FORBIDDEN', query);
    }
    const pdf = await fetch(`${server.url}/reports/00000000-0000-4000-8000-000000000000.pdf`, { headers: { authorization: `Bearer ${entered.token}` } });
    assert.equal(pdf.status, 403);
    assert.equal((await anonymous.error('mutation($t: String!) { enterRoom(token: $t) { token } }', { t: linkToken })).code, 'UNAUTHENTICATED', 'the link works once');

    await owner.ok(END_INTERVIEW, { id });
    assert.deepEqual((await watching.next(10_000)).data.interviewEvents, { __typename: 'InterviewStatusChanged', status: 'COMPLETED' });
    assert.deepEqual(await within('room socket close', socket.closed, 10_000), { code: 4401, reason: 'The interview is over' });
    assert.deepEqual(await room.error('query($id: ID!) { interview(id: $id) { id } }', { id }), {
      code: 'UNAUTHENTICATED',
      message: 'Your room login ended with the interview',
    });
  });

  // Last: reverting the migration forgets logouts and token versions of the tests before.
  it('keeps tokens made before scopes existed working with the ATS scopes (migration)', async () => {
    const { client: admin } = await signUp(anonymous, 'Legacy');
    const created = (await admin.ok('mutation { createApiToken(name: "old") { token apiToken { id } } }')).createApiToken;
    const { migrator } = server.platform.orm;
    const name = 'Migration20261202005822_token_scopes_and_revocation';
    // The token row as the previous schema kept it, then the migration applied to it.
    await migrator.down({ migrations: [name] });
    try {
      const [row] = await server.platform.orm.em.getConnection().execute('select * from api_tokens where id = ?', [created.apiToken.id]);
      assert.ok(row && !('scopes' in row), 'the previous schema has no scopes');
    } finally {
      await migrator.up({ migrations: [name] });
    }
    const old = anonymous.withToken(created.token);
    assert.deepEqual((await old.ok('{ me { apiToken { scopes } } }')).me.apiToken.scopes, ['INTERVIEWS_READ', 'INTERVIEWS_WRITE']);
    await old.ok('mutation { createInterview(input: { title: "Still works" }) { interview { id } } }');
    assert.equal((await old.error('mutation { setOrgRetention(retentionDays: 1) { retentionDays } }')).code, 'FORBIDDEN');
  });
});

describe(`login and sign-up limits (${describeDatabase()})`, () => {
  let server: TestPlatform;
  let anonymous: GraphQLClient;
  let host: GraphQLClient;
  let email: string;
  const opened: WsClient[] = [];
  const from = (localAddress: string) => {
    const socket = connect(server.url, host.token, { localAddress });
    opened.push(socket);
    return socket;
  };

  before(async () => {
    server = await startTestPlatform({ loginAttempts: 3, signUpAttempts: 3 });
    anonymous = new GraphQLClient(server.url);
    ({ client: host, email } = await signUp(anonymous));
  });
  after(async () => {
    await Promise.all(opened.map((socket) => socket.dispose()));
    await server?.stop();
  });

  it('counts a login attempt before the password is checked: parallel guesses cannot pass the limit', async () => {
    const results = await Promise.all(Array.from({ length: 3 + 5 }, () => anonymous.request(LOGIN, { email, password: 'a wrong guess' })));
    const codes = results.map((result) => result.errors?.[0]?.extensions?.code);
    assert.equal(codes.filter((code) => code === 'UNAUTHENTICATED').length, 3, codes.join());
    assert.equal(codes.filter((code) => code === 'RATE_LIMITED').length, 5, codes.join());
    assert.equal((await anonymous.error(LOGIN, { email, password: PASSWORD })).code, 'RATE_LIMITED', 'the right password waits too');
  });

  it('limits graphql-ws logins by the socket’s remote address', async () => {
    // 3 × 5 = 15 failed logins per address and window, each for another email.
    const guess = (socket: WsClient) => socket.request(LOGIN, { email: uniqueEmail('nobody'), password: 'a wrong guess' }).catch((error: Error) => error.message);
    const first = from('127.0.0.2');
    const answers = [];
    for (let i = 0; i < 15; i++) answers.push(await guess(first));
    assert.ok(
      answers.every((answer) => /Invalid email or password/.test(answer)),
      answers.join('\n'),
    );
    assert.match(await guess(first), /Too many failed login attempts/);
    assert.match(await guess(from('127.0.0.3')), /Invalid email or password/, 'another address has its own budget');
  });

  it('limits sign-ups per client address, taken emails included', async () => {
    // The host's own sign-up was the first from 127.0.0.1; these come from 127.0.0.4.
    const socket = from('127.0.0.4');
    const answer = (signUpEmail: string) =>
      socket.request(SIGN_UP, { email: signUpEmail }).then(
        () => 'signed up',
        (error: Error) => error.message,
      );
    assert.equal(await answer(uniqueEmail()), 'signed up');
    assert.match(await answer(email), /"code":"CONFLICT"/);
    assert.equal(await answer(uniqueEmail()), 'signed up');
    assert.match(await answer(uniqueEmail()), /Too many sign-ups from this address.*"code":"RATE_LIMITED"/);
    await anonymous.ok(SIGN_UP, { email: uniqueEmail() });
  });
});

describe('revocation across server processes (PostgreSQL server)', () => {
  it('closes a socket on one `proctor up` when its API token is revoked on another', async function () {
    if (!USING_SERVER) {
      console.log('      (skipped: needs PROCTOR_TEST_DATABASE_URL; the embedded database is one process)');
      this.skip();
    }
    await withTwoServers(async (urlA, urlB) => {
      const { client: host } = await signUp(new GraphQLClient(urlA));
      const created = (await host.ok(CREATE_TOKEN)).createApiToken;
      const socket = connect(urlB, created.token);
      try {
        await socket.request('{ me { org { id } } }');
        await host.ok('mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }', { id: created.apiToken.id });
        assert.deepEqual(await within('socket close on the other process', socket.closed, 15_000), { code: 4401, reason: 'The API token has been revoked' });
      } finally {
        await socket.dispose();
      }
    });
  });
});
