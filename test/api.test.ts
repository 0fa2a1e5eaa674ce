// The GraphQL API end to end over HTTP against a real server (embedded database, or the
// PostgreSQL server in PROCTOR_TEST_DATABASE_URL).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { INTERVIEW_RULES_SELECTION } from '../contract/interview.ts';
import { GraphQLClient, signUp, uniqueEmail } from './support/graphql.ts';
import { describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';

const CREATE = `mutation($input: CreateInterviewInput!) { createInterview(input: $input) { interview { id title status scheduledAt config ${INTERVIEW_RULES_SELECTION} } } }`;
const INVITE = `mutation($id: ID!, $name: String!, $email: String!) { inviteCandidate(interviewId: $id, name: $name, email: $email) { link token candidate { id name email linkValidFrom linkExpiresAt } } }`;
const SESSION = `query($token: String!) { candidateSession(token: $token) { interview { id title status } candidate { id name } rules { lookAwayDegrees strictMode } } }`;
const MOVE = (name: string) => `mutation($id: ID!) { ${name}(id: $id) { id status startedAt endedAt archivedAt } }`;

async function createInterview(client: GraphQLClient, input: Record<string, unknown> = {}): Promise<string> {
  const data = await client.ok(CREATE, { input: { title: 'Senior TypeScript engineer', ...input } });
  return data.createInterview.interview.id;
}

describe(`GraphQL API (${describeDatabase()})`, () => {
  let server: TestPlatform;
  let anonymous: GraphQLClient;

  before(async () => {
    server = await startTestPlatform({ loginAttempts: 3 });
    anonymous = new GraphQLClient(server.url);
  });
  after(async () => server?.stop());

  describe('sign-up and login', () => {
    it('signs up a host with a new org and logs in', async () => {
      const email = uniqueEmail();
      const signed = await anonymous.ok(
        'mutation($email: String!) { signUp(email: $email, password: "correct horse battery", orgName: "Initech") { token host { id email } } }',
        { email: email.toUpperCase() },
      );
      assert.equal(signed.signUp.host.email, email, 'email is stored lower-case');
      const logged = await anonymous.ok('mutation($email: String!) { logIn(email: $email, password: "correct horse battery") { token host { id } } }', { email });
      assert.equal(logged.logIn.host.id, signed.signUp.host.id);
      const me = await anonymous.withToken(logged.logIn.token).ok('{ me { org { name } host { email } apiToken { id } } }');
      assert.deepEqual(me.me, { org: { name: 'Initech' }, host: { email }, apiToken: null });
    });

    it('refuses a second account with the same email', async () => {
      const email = uniqueEmail();
      const mutation = 'mutation($email: String!) { signUp(email: $email, password: "correct horse battery", orgName: "A") { token } }';
      await anonymous.ok(mutation, { email });
      const error = await anonymous.error(mutation, { email });
      assert.equal(error.code, 'CONFLICT');
      assert.match(error.message, /already exists/);
    });

    it('gives the same generic error for an unknown email and a wrong password', async () => {
      const { email } = await signUp(anonymous);
      const login = 'mutation($email: String!, $password: String!) { logIn(email: $email, password: $password) { token } }';
      const wrongPassword = await anonymous.error(login, { email, password: 'not the password' });
      const unknownEmail = await anonymous.error(login, { email: uniqueEmail('nobody'), password: 'whatever123' });
      assert.deepEqual(wrongPassword, { code: 'UNAUTHENTICATED', message: 'Invalid email or password' });
      assert.deepEqual(unknownEmail, wrongPassword);
    });

    it('rate-limits repeated failed logins for an email', async () => {
      const { email } = await signUp(anonymous);
      const login = 'mutation($email: String!, $password: String!) { logIn(email: $email, password: $password) { token } }';
      for (let i = 0; i < 3; i++) assert.equal((await anonymous.error(login, { email, password: 'wrong-password' })).code, 'UNAUTHENTICATED');
      const limited = await anonymous.error(login, { email, password: 'correct horse battery' });
      assert.equal(limited.code, 'RATE_LIMITED', 'even the right password waits out the window');
      assert.match(limited.message, /Too many failed login attempts/);
    });

    it('validates sign-up input', async () => {
      const mutation = 'mutation($email: String!, $password: String!, $org: String!) { signUp(email: $email, password: $password, orgName: $org) { token } }';
      const badEmail = await anonymous.error(mutation, { email: 'not-an-email', password: 'long enough pw', org: 'A' });
      assert.equal(badEmail.code, 'BAD_USER_INPUT');
      assert.match(badEmail.message, /^email: "not-an-email" is not a valid email address$/);
      const shortPassword = await anonymous.error(mutation, { email: uniqueEmail(), password: 'short', org: 'A' });
      assert.deepEqual(shortPassword, { code: 'BAD_USER_INPUT', message: 'password: must be at least 8 characters' });
      const emptyOrg = await anonymous.error(mutation, { email: uniqueEmail(), password: 'long enough pw', org: '   ' });
      assert.deepEqual(emptyOrg, { code: 'BAD_USER_INPUT', message: 'orgName: must not be empty' });
    });

    it('requires authentication for org data, and says so', async () => {
      assert.deepEqual(await anonymous.error('{ interviews { edges { node { id } } } }'), {
        code: 'UNAUTHENTICATED',
        message: 'Authentication required: send "Authorization: Bearer <token>"',
      });
      assert.equal((await anonymous.withToken('nonsense').error('{ me { org { id } } }')).code, 'UNAUTHENTICATED');
    });
  });

  describe('interviews', () => {
    let host: GraphQLClient;
    before(async () => ({ client: host } = await signUp(anonymous)));

    it('creates an interview with validated config defaults', async () => {
      const data = await host.ok(CREATE, {
        input: { title: '  Backend pairing  ', scheduledAt: '2026-12-01T14:00:00Z', config: { strictMode: true, audioPolicy: 'IGNORE' } },
      });
      assert.deepEqual(data.createInterview.interview.config, {
        strictMode: true,
        requireFullscreen: false,
        allowCopyPaste: false,
        audioPolicy: 'IGNORE',
        lookAwayDegrees: 35,
        retentionDays: 90,
        screenShare: 'OFF',
      });
      assert.equal(data.createInterview.interview.title, 'Backend pairing');
      assert.equal(data.createInterview.interview.status, 'SCHEDULED');
      assert.equal(data.createInterview.interview.scheduledAt, '2026-12-01T14:00:00.000Z');
    });

    it('walks the state machine SCHEDULED → LIVE → COMPLETED → ARCHIVED and refuses illegal moves', async () => {
      const id = await createInterview(host);
      const conflict = async (move: string, status: string) => {
        const error = await host.error(MOVE(move), { id });
        assert.equal(error.code, 'CONFLICT', `${move} from ${status}`);
        assert.match(error.message, new RegExp(`is ${status}`));
      };
      await conflict('endInterview', 'SCHEDULED');
      await conflict('archiveInterview', 'SCHEDULED');
      const live = (await host.ok(MOVE('startInterview'), { id })).startInterview;
      assert.equal(live.status, 'LIVE');
      assert.ok(live.startedAt);
      await conflict('startInterview', 'LIVE');
      await conflict('archiveInterview', 'LIVE');
      const completed = (await host.ok(MOVE('endInterview'), { id })).endInterview;
      assert.equal(completed.status, 'COMPLETED');
      assert.ok(completed.endedAt);
      await conflict('startInterview', 'COMPLETED');
      const archived = (await host.ok(MOVE('archiveInterview'), { id })).archiveInterview;
      assert.equal(archived.status, 'ARCHIVED');
      await conflict('archiveInterview', 'ARCHIVED');
      const shown = await host.ok('query($id: ID!) { interview(id: $id) { status startedAt endedAt archivedAt } }', { id });
      assert.equal(shown.interview.status, 'ARCHIVED');
      assert.ok(shown.interview.startedAt && shown.interview.endedAt && shown.interview.archivedAt);
    });

    it('changes a scheduled interview (given fields only, rules merged, audited) and refuses once it has started', async () => {
      const UPDATE = `mutation($id: ID!, $input: UpdateInterviewInput!) { updateInterview(id: $id, input: $input) { id title scheduledAt config ${INTERVIEW_RULES_SELECTION} } }`;
      const id = await createInterview(host, { scheduledAt: '2026-12-01T14:00:00Z', config: { strictMode: true, lookAwayDegrees: 30 } });
      const renamed = (await host.ok(UPDATE, { id, input: { title: '  Final round  ' } })).updateInterview;
      assert.equal(renamed.title, 'Final round');
      assert.equal(renamed.scheduledAt, '2026-12-01T14:00:00.000Z', 'left out: unchanged');
      const moved = (await host.ok(UPDATE, { id, input: { scheduledAt: '2026-12-02T09:30:00Z', config: { lookAwayDegrees: 25, screenShare: 'REQUIRED' } } })).updateInterview;
      assert.equal(moved.scheduledAt, '2026-12-02T09:30:00.000Z');
      assert.deepEqual(moved.config, {
        strictMode: true,
        requireFullscreen: false,
        allowCopyPaste: false,
        audioPolicy: 'FLAG',
        lookAwayDegrees: 25,
        retentionDays: 90,
        screenShare: 'REQUIRED',
      });
      // Bad input changes nothing.
      for (const input of [{ title: '' }, { title: 'x'.repeat(201) }, { config: { lookAwayDegrees: 91 } }, { config: { screenShare: 'SOMETIMES' } }]) {
        const error = await host.error(UPDATE, { id, input });
        assert.ok(['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED'].includes(String(error.code)), `${JSON.stringify(input)}: ${error.code}`);
      }
      assert.equal((await host.ok(UPDATE, { id, input: {} })).updateInterview.title, 'Final round', 'an empty change is no change');
      const entries = await server.platform.orm.em
        .getConnection()
        .execute<{ metadata: { before: Record<string, unknown>; after: Record<string, unknown> } }[]>(
          `select metadata from audit_log where action = 'interview.update' and target_id = ?`,
          [id],
        );
      assert.equal(entries.length, 2, 'one entry a change; none for bad input or an empty change');
      const entry = entries.find((e) => 'config' in e.metadata.after);
      assert.equal((entry!.metadata.before.config as { lookAwayDegrees: number }).lookAwayDegrees, 30);
      assert.equal((entry!.metadata.after.config as { lookAwayDegrees: number }).lookAwayDegrees, 25);
      assert.equal(entry!.metadata.before.scheduledAt, '2026-12-01T14:00:00.000Z');

      await host.ok(MOVE('startInterview'), { id });
      const [started] = (await host.request(UPDATE, { id, input: { title: 'Too late' } })).errors ?? [];
      assert.deepEqual(started?.extensions, { code: 'CONFLICT', status: 'LIVE', reason: 'INTERVIEW_STARTED' });
      assert.equal((await host.ok('query($id: ID!) { interview(id: $id) { title } }', { id })).interview.title, 'Final round');
    });

    it('lets exactly one of two racing starts win', async () => {
      const id = await createInterview(host);
      const results = await Promise.all([host.request(MOVE('startInterview'), { id }), host.request(MOVE('startInterview'), { id })]);
      assert.equal(results.filter((r) => r.data?.startInterview?.status === 'LIVE').length, 1);
      assert.equal(results.filter((r) => r.errors?.[0]?.extensions?.code === 'CONFLICT').length, 1);
    });

    it('pages exactly through rows written with sub-millisecond timestamps', async () => {
      const { client, hostId } = await signUp(anonymous);
      // Rows written by SQL (imports, other tools) carry microseconds; cursors must not repeat them.
      await server.platform.orm.em.getConnection().execute(
        `insert into interviews (id, org_id, host_id, title, status, config, created_at)
         select gen_random_uuid(), org_id, id, 'Imported ' || g, 'SCHEDULED', '{}', clock_timestamp() from hosts, generate_series(1, 7) g where hosts.id = ?`,
        [hostId],
      );
      const titles: string[] = [];
      let after: string | null = null;
      do {
        const data: any = await client.ok('query($after: String) { interviews(first: 3, after: $after) { edges { node { title } } pageInfo { hasNextPage endCursor } } }', {
          after,
        });
        titles.push(...data.interviews.edges.map((e: any) => e.node.title));
        after = data.interviews.pageInfo.hasNextPage ? data.interviews.pageInfo.endCursor : null;
      } while (after);
      // Rows within one millisecond tie on created_at and are ordered by id: check each comes once.
      assert.deepEqual(
        titles.toSorted(),
        Array.from({ length: 7 }, (_, i) => `Imported ${i + 1}`),
      );
    });

    it('pages through interviews as a Relay connection, filtered by status', async () => {
      const { client } = await signUp(anonymous);
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push(await createInterview(client, { title: `Interview ${i}` }));
      await client.ok(MOVE('startInterview'), { id: ids[1] });
      const page =
        'query($after: String, $status: InterviewStatus) { interviews(first: 2, after: $after, status: $status) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }';
      const seen: string[] = [];
      let after: string | null = null;
      for (let pages = 0; pages < 5; pages++) {
        const data: any = await client.ok(page, { after });
        seen.push(...data.interviews.edges.map((e: any) => e.node.id));
        if (!data.interviews.pageInfo.hasNextPage) break;
        after = data.interviews.pageInfo.endCursor;
      }
      assert.deepEqual(seen, ids);
      const live = await client.ok(page, { status: 'LIVE' });
      assert.deepEqual(
        live.interviews.edges.map((e: any) => e.node.id),
        [ids[1]],
      );
      assert.equal((await client.error('{ interviews(first: 0) { edges { cursor } } }')).code, 'BAD_USER_INPUT');
      assert.equal((await client.error('{ interviews(first: 1000) { edges { cursor } } }')).code, 'BAD_USER_INPUT');
      assert.deepEqual(await client.error('{ interviews(after: "garbage") { edges { cursor } } }'), {
        code: 'BAD_USER_INPUT',
        message: 'after: is not a cursor this API returned',
      });
    });
  });

  describe('candidates and join links', () => {
    let host: GraphQLClient;
    before(async () => ({ client: host } = await signUp(anonymous)));

    it('invites a candidate; the link shows the join page view and is stored only as a hash', async () => {
      const id = await createInterview(host, { title: 'Frontend', config: { lookAwayDegrees: 25 } });
      const invite = (await host.ok(INVITE, { id, name: 'Ada Lovelace', email: 'ada@example.com' })).inviteCandidate;
      assert.equal(invite.link, `${server.url}/i/${invite.token}`);
      const session = (await anonymous.ok(SESSION, { token: invite.token })).candidateSession;
      assert.deepEqual(session, {
        interview: { id, title: 'Frontend', status: 'SCHEDULED' },
        candidate: { id: invite.candidate.id, name: 'Ada Lovelace' },
        rules: { lookAwayDegrees: 25, strictMode: false },
      });
      const rows = await server.platform.orm.em.getConnection().execute('select join_token_hash from candidates where id = ?', [invite.candidate.id]);
      assert.equal(rows[0]?.join_token_hash, createHash('sha256').update(invite.token).digest('hex'));
      const listed = await host.ok('query($id: ID!) { interview(id: $id) { candidates { edges { node { id email linkRevokedAt } } } } }', { id });
      assert.deepEqual(listed.interview.candidates.edges, [{ node: { id: invite.candidate.id, email: 'ada@example.com', linkRevokedAt: null } }]);
      const again = await host.error(INVITE, { id, name: 'Ada again', email: 'ADA@example.com' });
      assert.equal(again.code, 'CONFLICT');
    });

    it('makes a link valid from 48 h before the scheduled time', async () => {
      const scheduledAt = new Date(Date.now() + 72 * 3_600_000);
      const id = await createInterview(host, { scheduledAt: scheduledAt.toISOString() });
      const invite = (await host.ok(INVITE, { id, name: 'Early Bird', email: 'early@example.com' })).inviteCandidate;
      assert.equal(new Date(invite.candidate.linkValidFrom).getTime(), scheduledAt.getTime() - 48 * 3_600_000);
      assert.deepEqual(await anonymous.error(SESSION, { token: invite.token }), { code: 'UNAUTHENTICATED', message: 'This interview link is not valid yet' });
    });

    it('expires a link after its maximum age', async () => {
      const id = await createInterview(host, { scheduledAt: new Date(Date.now() - 8 * 86_400_000).toISOString() });
      const invite = (await host.ok(INVITE, { id, name: 'Late', email: 'late@example.com' })).inviteCandidate;
      assert.deepEqual(await anonymous.error(SESSION, { token: invite.token }), { code: 'UNAUTHENTICATED', message: 'This interview link has expired' });
    });

    it('revokes links when the interview ends, and refuses invites to a finished interview', async () => {
      const id = await createInterview(host);
      const invite = (await host.ok(INVITE, { id, name: 'Grace Hopper', email: 'grace@example.com' })).inviteCandidate;
      await host.ok(MOVE('startInterview'), { id });
      await anonymous.ok(SESSION, { token: invite.token });
      await host.ok(MOVE('endInterview'), { id });
      const revoked = await anonymous.error(SESSION, { token: invite.token });
      assert.deepEqual(revoked, { code: 'UNAUTHENTICATED', message: 'This interview link has been revoked: the interview is over' });
      const bearer = await anonymous.withToken(invite.token).error('{ me { org { id } } }');
      assert.equal(bearer.code, 'UNAUTHENTICATED', 'the link no longer authenticates');
      assert.equal((await host.error(INVITE, { id, name: 'Too late', email: 'late2@example.com' })).code, 'CONFLICT');
      const listed = await host.ok('query($id: ID!) { interview(id: $id) { candidates { edges { node { linkRevokedAt } } } } }', { id });
      assert.ok(listed.interview.candidates.edges[0].node.linkRevokedAt);
    });

    it('rejects a tampered or foreign link', async () => {
      const id = await createInterview(host);
      const { token } = (await host.ok(INVITE, { id, name: 'Eve', email: 'eve@example.com' })).inviteCandidate;
      const tampered = `${token.slice(0, -4)}AAAA`;
      assert.deepEqual(await anonymous.error(SESSION, { token: tampered }), { code: 'UNAUTHENTICATED', message: 'This interview link is not valid' });
      const hostToken = host.token!;
      assert.equal((await anonymous.error(SESSION, { token: hostToken })).code, 'UNAUTHENTICATED', 'a host login is not a join link');
    });

    it('lets a join token authenticate as the candidate but not act as a host', async () => {
      const id = await createInterview(host);
      const { token } = (await host.ok(INVITE, { id, name: 'Carl', email: 'carl@example.com' })).inviteCandidate;
      const candidate = anonymous.withToken(token);
      assert.deepEqual(await candidate.error('{ interviews { edges { node { id } } } }'), { code: 'FORBIDDEN', message: 'A candidate link cannot do this' });
      assert.equal((await candidate.error(MOVE('startInterview'), { id })).code, 'FORBIDDEN');
    });
  });

  describe('org isolation', () => {
    it("gives a host of org B NOT_FOUND for org A's objects on every query and mutation", async () => {
      const { client: hostA } = await signUp(anonymous, 'Org A');
      const { client: hostB } = await signUp(anonymous, 'Org B');
      const id = await createInterview(hostA, { title: 'A secret' });
      const { apiToken } = (await hostA.ok('mutation { createApiToken(name: "ats") { apiToken { id } } }')).createApiToken;
      const attempts: [string, Record<string, unknown>][] = [
        ['query($id: ID!) { interview(id: $id) { id } }', { id }],
        ['query($id: ID!) { interview(id: $id) { candidates { edges { cursor } } } }', { id }],
        [MOVE('startInterview'), { id }],
        [MOVE('endInterview'), { id }],
        [MOVE('archiveInterview'), { id }],
        ['mutation($id: ID!) { updateInterview(id: $id, input: { title: "Mine now" }) { id } }', { id }],
        [INVITE, { id, name: 'Mallory', email: 'mallory@example.com' }],
        ['mutation($id: ID!) { revokeApiToken(id: $id) { id } }', { id: apiToken.id }],
      ];
      for (const [query, variables] of attempts) {
        const error = await hostB.error(query, variables);
        assert.equal(error.code, 'NOT_FOUND', query);
      }
      const listB = await hostB.ok('{ interviews { edges { node { id } } } }');
      assert.deepEqual(listB.interviews.edges, []);
      const tokensB = await hostB.ok('{ apiTokens { edges { node { id } } } }');
      assert.deepEqual(tokensB.apiTokens.edges, []);
      assert.equal((await hostA.ok('query($id: ID!) { interview(id: $id) { status } }', { id })).interview.status, 'SCHEDULED', 'untouched');
      assert.equal((await hostB.error('query { interview(id: "not-a-uuid") { id } }')).code, 'NOT_FOUND');
    });
  });

  describe('API tokens', () => {
    it('creates a token shown once, authenticates an integration with it, lists and revokes it', async () => {
      const { client: host } = await signUp(anonymous, 'ATS Co');
      const created = (await host.ok('mutation { createApiToken(name: "Greenhouse") { token apiToken { id name prefix revokedAt } } }')).createApiToken;
      assert.match(created.token, /^ptk_[\w-]{40,}$/);
      assert.ok(created.token.startsWith(created.apiToken.prefix));
      const ats = anonymous.withToken(created.token);
      const me = await ats.ok('{ me { org { name } host { id } apiToken { name } } }');
      assert.deepEqual(me.me, { org: { name: 'ATS Co' }, host: null, apiToken: { name: 'Greenhouse' } });
      const id = await createInterview(ats, { title: 'Created by the ATS' });
      assert.equal((await host.ok('query($id: ID!) { interview(id: $id) { title } }', { id })).interview.title, 'Created by the ATS');
      assert.deepEqual(await ats.error('mutation { createApiToken(name: "more") { token } }'), { code: 'FORBIDDEN', message: 'Only a host can create API tokens' });
      const stored = await server.platform.orm.em.getConnection().execute('select token_hash from api_tokens where id = ?', [created.apiToken.id]);
      assert.equal(stored[0]?.token_hash, createHash('sha256').update(created.token).digest('hex'));
      const listed = await host.ok('{ apiTokens { edges { node { id name lastUsedAt } } } }');
      assert.equal(listed.apiTokens.edges.length, 1);
      assert.ok(listed.apiTokens.edges[0].node.lastUsedAt, 'use is recorded');
      const revoked = (await host.ok('mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }', { id: created.apiToken.id })).revokeApiToken;
      assert.ok(revoked.revokedAt);
      assert.deepEqual(await ats.error('{ me { org { id } } }'), { code: 'UNAUTHENTICATED', message: 'The API token has been revoked' });
      assert.equal((await host.error('mutation($id: ID!) { revokeApiToken(id: $id) { id } }', { id: created.apiToken.id })).code, 'CONFLICT');
    });
  });
});
